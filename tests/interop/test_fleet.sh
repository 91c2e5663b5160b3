#!/usr/bin/env bash
# A fleet: two `lucidtls server` processes (A and B, their own ports) share
# one ticket key file made by `lucidtls ticket-keys` (docs/RESUMPTION.md).
#
# TLS 1.3: a ticket from A resumes on B, with `lucidtls client --sess-out /
# --sess-in` and with `openssl s_client -sess_out / -sess_in` ("Reused").
# Then `lucidtls ticket-keys FILE` rotates the file; after the recheck
# interval (LT_TICKET_KEY_RECHECK_S, 1 s) a ticket from before the rotation
# still resumes on both, a new ticket (sealed under the new key: its first
# 16 bytes are the new key's name) from B resumes on A. A server with
# another key file (C) and one with keys of its own (D) give a full
# handshake. A damaged key file keeps the keys a server has.
# TLS 1.2 (RFC 5077 tickets across servers): tried with s_client -tls1_2,
# skipped with a message when this build does not resume TLS 1.2 yet.
#
# usage: test_fleet.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem
KEYS=$WORK/fleet.keys
OTHER=$WORK/other.keys
SRV=(--cert "$PKI/chain.pem" --key "$PKI/server.key")
S_CLIENT=(openssl s_client -nocommands -CAfile "$CA" -verify_return_error -servername localhost)

# ------------------------------------------------------------ the key file
lt_run mk 10 - "$LUCIDTLS" ticket-keys "$KEYS"
lt_expect_rc "ticket-keys creates the file" 0
lt_expect_contains "ticket-keys says it made one key" "$LAST_OUT" "created, 1 key"
lt_expect_eq "the key file is mode 600" 600 "$(stat -c %a "$KEYS" 2>/dev/null)"
lt_expect_eq "one key line of 96 hex digits" 1 "$(grep -cE '^[0-9a-f]{96}$' "$KEYS")"
KEY1_NAME=$(grep -E '^[0-9a-f]{96}$' "$KEYS" | head -n 1 | cut -c1-32)
lt_run mk-other 10 - "$LUCIDTLS" ticket-keys "$OTHER"
lt_expect_rc "ticket-keys makes a second, unrelated file" 0

lt_start_lucidtls_server A "${SRV[@]}" --ticket-keys "$KEYS" || lt_finish
lt_start_lucidtls_server B "${SRV[@]}" --ticket-keys "$KEYS" || lt_finish
lt_start_lucidtls_server C "${SRV[@]}" --ticket-keys "$OTHER" || lt_finish
lt_start_lucidtls_server D "${SRV[@]}" || lt_finish

# A world-readable key file is refused at start (as ssh refuses such a key).
cp "$KEYS" "$WORK/open.keys"
chmod 644 "$WORK/open.keys"
lt_run open 10 - "$LUCIDTLS" server --port 0 --host 127.0.0.1 "${SRV[@]}" --ticket-keys "$WORK/open.keys"
lt_expect_rc "server --ticket-keys with a mode 644 file: refused" nonzero
lt_expect_contains "it says why" "$LAST_ERR" "chmod 600"

# lt NAME SERVER [CLIENT ARGS...]: lucidtls client, a line echoed.
lt() {
    local name=$1 srv=$2 tok
    shift 2
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$tok" "$LUCIDTLS" client "127.0.0.1:$(lt_port "$srv")" --cafile "$CA" \
        --servername localhost "$@"
    lt_expect_rc "[$name] lucidtls client to $srv $*: exit 0" 0
    lt_expect_contains "[$name] data echoed" "$LAST_OUT" "$tok"
}
# os NAME SERVER [S_CLIENT ARGS...]: s_client, a line echoed.
os() {
    local name=$1 srv=$2 tok
    shift 2
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$tok" "${S_CLIENT[@]}" -connect "127.0.0.1:$(lt_port "$srv")" "$@"
    lt_expect_rc "[$name] s_client to $srv $*: exit 0" 0
    lt_expect_contains "[$name] data echoed" "$LAST_OUT" "$tok"
}
resumed() { lt_expect_contains "$1: resumed" "$LAST_ERR" "lucidtls: session resumed"; }
full() { lt_expect_contains "$1: a full handshake" "$LAST_ERR" "full handshake (the session was not resumed)"; }
# The key name of the ticket in a session s_client saved (-sess_out): the
# first 16 bytes of the ticket (crypto/ticket.h: key_name || nonce || ...).
ticket_name() {
    openssl sess_id -in "$1" -text -noout 2>/dev/null \
        | awk '/TLS session ticket:/ { on = 1; next } on && /^ *0000 - / { for (i = 3; i <= 17; i++) n = n $i; print n; exit }' \
        | tr -d ' -' | cut -c1-32
}

# ------------------------------------------------------------ TLS 1.3, lucidtls client
lt l-a-full A --tls1_3 --sess-out "$WORK/l1.sess"
lt l-b-res B --tls1_3 --sess-in "$WORK/l1.sess"
resumed "[lucidtls client] A's ticket on B"
lt l-c-full C --tls1_3 --sess-in "$WORK/l1.sess"
full "[lucidtls client] A's ticket on C (another key file)"
lt l-d-full D --tls1_3 --sess-in "$WORK/l1.sess"
full "[lucidtls client] A's ticket on D (keys of its own)"

# ------------------------------------------------------------ TLS 1.3, s_client
os o-a-full A -tls1_3 -sess_out "$WORK/o1.pem"
lt_expect_contains "[s_client] first connection to A is full" "$LAST_OUT" "New, TLSv1.3"
lt_expect_eq "[s_client] A's ticket is sealed under the file's key" "$KEY1_NAME" "$(ticket_name "$WORK/o1.pem")"
os o-b-res B -tls1_3 -sess_in "$WORK/o1.pem"
lt_expect_contains "[s_client] A's ticket on B: Reused" "$LAST_OUT" "Reused, TLSv1.3"
os o-c-full C -tls1_3 -sess_in "$WORK/o1.pem"
lt_expect_contains "[s_client] A's ticket on C: a full handshake" "$LAST_OUT" "New, TLSv1.3"

# ------------------------------------------------------------ rotation
lt_run rot 10 - "$LUCIDTLS" ticket-keys "$KEYS"
lt_expect_rc "ticket-keys rotates the file" 0
lt_expect_contains "it says so" "$LAST_OUT" "rotated, 2 keys"
lt_expect_eq "the key file is still mode 600" 600 "$(stat -c %a "$KEYS" 2>/dev/null)"
KEY2_NAME=$(grep -E '^[0-9a-f]{96}$' "$KEYS" | head -n 1 | cut -c1-32)
lt_expect_eq "the old key is second" "$KEY1_NAME" "$(grep -E '^[0-9a-f]{96}$' "$KEYS" | sed -n 2p | cut -c1-32)"
sleep 1.5 # LT_TICKET_KEY_RECHECK_S, and some
for s in A B; do
    lt "l-$s-old" "$s" --tls1_3 --sess-in "$WORK/l1.sess"
    resumed "[after rotation] a lucidtls ticket from before, on $s"
    os "o-$s-old" "$s" -tls1_3 -sess_in "$WORK/o1.pem"
    lt_expect_contains "[after rotation] an s_client ticket from before, on $s: Reused" "$LAST_OUT" "Reused, TLSv1.3"
done
os o-b-new B -tls1_3 -sess_out "$WORK/o2.pem"
lt_expect_eq "[after rotation] B seals under the new key" "$KEY2_NAME" "$(ticket_name "$WORK/o2.pem")"
os o-a-new A -tls1_3 -sess_in "$WORK/o2.pem"
lt_expect_contains "[after rotation] B's new ticket on A: Reused" "$LAST_OUT" "Reused, TLSv1.3"
lt l-b-new B --tls1_3 --sess-out "$WORK/l2.sess"
lt l-a-new A --tls1_3 --sess-in "$WORK/l2.sess"
resumed "[after rotation] B's new lucidtls ticket on A"

# ------------------------------------------------------------ a damaged file
# (written in place, as a careless copy would) keeps the keys the servers have.
head -c 60 "$KEYS" >"$WORK/half" && cat "$WORK/half" >"$KEYS"
sleep 1.5
lt l-a-damaged A --tls1_3 --sess-in "$WORK/l2.sess"
resumed "[damaged file] A keeps its keys"
lt_expect_alive "A is still running" A

# ------------------------------------------------------------ TLS 1.2 tickets (RFC 5077)
# Detected, not assumed: does a TLS 1.2 session from A resume on A itself,
# and did A send a ticket?
lt_run mk3 10 - "$LUCIDTLS" ticket-keys "$WORK/k12.keys"
lt_start_lucidtls_server A12 "${SRV[@]}" --ticket-keys "$WORK/k12.keys" || lt_finish
lt_start_lucidtls_server B12 "${SRV[@]}" --ticket-keys "$WORK/k12.keys" || lt_finish
# A probe, not a check: what s_client reports is looked at, not asserted.
probe12() {
    local tok
    tok=$(lt_token "$1")
    lt_session "$1" 10 "$tok\n" "$tok" "${S_CLIENT[@]}" -connect "127.0.0.1:$(lt_port A12)" -tls1_2 "${@:2}"
}
probe12 p12-full -sess_out "$WORK/o12.pem"
cp "$LAST_OUT" "$WORK/p12-full.txt"
if [ -s "$WORK/o12.pem" ]; then
    probe12 p12-self -sess_in "$WORK/o12.pem"
fi
if [ ! -s "$WORK/o12.pem" ] || ! grep -qF "Reused, TLSv1.2" "$LAST_OUT"; then
    lt_log "SKIP: TLS 1.2 resumption: this build does not resume a TLS 1.2 session yet (s_client -tls1_2 -sess_in to the same server: no session saved, or a full handshake); the TLS 1.2 fleet checks are skipped"
elif ! openssl sess_id -in "$WORK/o12.pem" -text -noout 2>/dev/null | grep -qF "TLS session ticket:"; then
    lt_log "SKIP: TLS 1.2 tickets: the server resumes TLS 1.2 by session ID but sent no RFC 5077 ticket; a session ID does not travel between processes, so the TLS 1.2 fleet checks are skipped"
else
    lt_pass "[TLS 1.2] A resumes its own session and sends RFC 5077 tickets"
    os o12-b-res B12 -tls1_2 -sess_in "$WORK/o12.pem"
    lt_expect_contains "[TLS 1.2] A's ticket on B: Reused" "$LAST_OUT" "Reused, TLSv1.2"
    lt l12-a-full A12 --tls1_2 --sess-out "$WORK/l12.sess"
    lt l12-b-res B12 --tls1_2 --sess-in "$WORK/l12.sess"
    resumed "[TLS 1.2, lucidtls client] A's ticket on B"
    lt_run rot12 10 - "$LUCIDTLS" ticket-keys "$WORK/k12.keys"
    sleep 1.5
    os o12-b-old B12 -tls1_2 -sess_in "$WORK/o12.pem"
    lt_expect_contains "[TLS 1.2, after rotation] a ticket from before on B: Reused" "$LAST_OUT" "Reused, TLSv1.2"
    os o12-c-full C -tls1_2 -sess_in "$WORK/o12.pem"
    lt_expect_contains "[TLS 1.2] A's ticket on C (another key file): a full handshake" "$LAST_OUT" "New, TLSv1.2"
fi

lt_finish
