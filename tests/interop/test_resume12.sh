#!/usr/bin/env bash
# TLS 1.2 resumption (RFC 5246 7.3 abbreviated handshake; session IDs,
# RFC 5077 tickets) with real peers, both directions, TLS 1.2 pinned:
#   - openssl s_client -reconnect against `lucidtls server` ("Reused,
#     TLSv1.2" five times), with tickets and with -no_ticket (session IDs,
#     the server's cache); -sess_out / -sess_in; a ticket taken to another
#     server process (other ticket keys) gives a full handshake;
#   - gnutls-cli --resume against our server, with and without tickets;
#   - Python's SSLSocket.session against our server (session_reused True);
#   - our `client --reconnect` and --sess-out / --sess-in against openssl
#     s_server (with and without -no_ticket), gnutls-serv (with and without
#     --noticket) and a Python server ("lucidtls: session resumed", and the
#     server's own view where it gives one).
#
# usage: test_resume12.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem
PEER="$(cd "$(dirname "$0")" && pwd)/py_peer.py"
S_CLIENT=(openssl s_client -CAfile "$CA" -verify_return_error -servername localhost -verify_hostname localhost)

lt_start_lucidtls_server rsa --cert "$PKI/chain.pem" --key "$PKI/server.key" --tls1_2 || lt_finish
PORT=$(lt_port rsa)

# ------------------------------------------------------------ s_client -> our server
# s_client -reconnect: one full handshake, then five that offer the
# session; each must be resumed.
reconnect() {
    local name=$1 desc=$2
    shift 2
    lt_run "$name" 30 - "${S_CLIENT[@]}" -connect "127.0.0.1:$PORT" -tls1_2 -reconnect "$@"
    lt_expect_rc "$desc: s_client -reconnect exits 0" 0
    lt_expect_eq "$desc: the first handshake is full (New, TLSv1.2)" 1 "$(grep -c '^New, TLSv1.2' "$LAST_OUT")"
    lt_expect_eq "$desc: the five reconnections are resumed (Reused, TLSv1.2)" 5 \
        "$(grep -c '^Reused, TLSv1.2' "$LAST_OUT")"
}
reconnect sc-ticket "s_client with tickets (RFC 5077)"
reconnect sc-id "s_client -no_ticket (session IDs)" -no_ticket
lt_expect_contains "s_client -no_ticket: our server gave a 32-byte session ID" "$LAST_OUT" "Session-ID: "
lt_expect_re "s_client -no_ticket: the session ID is 32 bytes" '[0-9A-F]{64}' \
    "$(awk '/Session-ID: / { print $2; exit }' "$LAST_OUT")"
# With tickets the server sends a NewSessionTicket and, as OpenSSL does,
# no session ID of its own (s_client shows the ticket).
lt_run sc-ticket-msg 20 - "${S_CLIENT[@]}" -connect "127.0.0.1:$PORT" -tls1_2 -msg
lt_expect_eq "with tickets: one NewSessionTicket from our server (RFC 5077 3.3)" 1 \
    "$(lt_msg_count "$LAST_OUT" '<<<' NewSessionTicket)"
lt_expect_contains "with tickets: s_client has a TLS session ticket" "$LAST_OUT" "TLS session ticket:"

# -sess_out, then -sess_in: the saved session resumes (ticket and ID).
for mode in ticket id; do
    extra=()
    [ "$mode" = id ] && extra=(-no_ticket)
    rm -f "$WORK/sc-$mode.pem"
    lt_run "sc-out-$mode" 20 - "${S_CLIENT[@]}" -connect "127.0.0.1:$PORT" -tls1_2 "${extra[@]}" \
        -sess_out "$WORK/sc-$mode.pem"
    lt_expect_contains "-sess_out ($mode): a full handshake" "$LAST_OUT" "New, TLSv1.2"
    lt_run "sc-in-$mode" 20 - "${S_CLIENT[@]}" -connect "127.0.0.1:$PORT" -tls1_2 "${extra[@]}" -msg \
        -sess_in "$WORK/sc-$mode.pem"
    lt_expect_contains "-sess_in ($mode): Reused, TLSv1.2" "$LAST_OUT" "Reused, TLSv1.2"
    lt_expect_eq "-sess_in ($mode): no Certificate from the server (abbreviated handshake)" 0 \
        "$(lt_msg_count "$LAST_OUT" '<<<' Certificate)"
done
# Another server process: other ticket keys and an empty cache.
lt_start_lucidtls_server rsa2 --cert "$PKI/chain.pem" --key "$PKI/server.key" --tls1_2 || lt_finish
for mode in ticket id; do
    extra=()
    [ "$mode" = id ] && extra=(-no_ticket)
    lt_run "sc-other-$mode" 20 - "${S_CLIENT[@]}" -connect "127.0.0.1:$(lt_port rsa2)" -tls1_2 "${extra[@]}" \
        -sess_in "$WORK/sc-$mode.pem"
    lt_expect_rc "another server process ($mode): s_client exits 0 (not an error)" 0
    lt_expect_contains "another server process ($mode): a full handshake (New, TLSv1.2)" "$LAST_OUT" "New, TLSv1.2"
done
lt_stop_server rsa2

# ------------------------------------------------------------ gnutls-cli -> our server
if command -v gnutls-cli >/dev/null 2>&1; then
    for prio in "NORMAL:-VERS-ALL:+VERS-TLS1.2" "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_TICKETS"; do
        d="gnutls-cli --resume --priority $prio"
        lt_run "gc-${#prio}" 30 - gnutls-cli --x509cafile "$CA" --priority "$prio" --resume -p "$PORT" localhost
        lt_expect_rc "$d: exits 0" 0
        lt_expect_contains "$d: resumed" "$LAST_ALL" "This is a resumed session"
    done
else
    lt_fail "gnutls-cli is installed" "in PATH" "missing (scripts/install_deps.sh: gnutls-bin)"
fi

# ------------------------------------------------------------ Python -> our server
tok=$(lt_token pyc)
lt_run pyc-resume 30 - python3 "$PEER" client-resume12 "$PORT" "$CA" "$tok"
lt_expect_rc "Python client-resume12: exits 0" 0
lt_expect_eq "Python: both connections TLS 1.2" 2 "$(grep -c '^negotiated TLSv1\.2 ' "$LAST_OUT")"
lt_expect_eq "Python: SSLSocket.session_reused False, then True" "False True" \
    "$(awk '/^session_reused / { printf "%s%s", sep, $2; sep = " " }' "$LAST_OUT")"

# ------------------------------------------------------------ our client -> openssl s_server
# ours NAME DESC PORT EXPECT_ECHO ARGS... — our client sends a line; the
# last connection's echo (reversed by s_server -rev, as is by others).
ours() {
    local name=$1 desc=$2 port=$3 want=$4 tok=$5
    shift 5
    lt_session "$name" 20 "$tok\n" "$want" "$LUCIDTLS" client "127.0.0.1:$port" --cafile "$CA" \
        --servername localhost "$@"
    lt_expect_rc "$desc: our client exits 0" 0
    lt_expect_contains "$desc: the last connection carries data both ways" "$LAST_OUT" "$want"
}
for mode in ticket id; do
    extra=()
    [ "$mode" = id ] && extra=(-no_ticket)
    lt_start_openssl_server "oss-$mode" -cert "$PKI/server.pem" -key "$PKI/server.key" -cert_chain "$PKI/chain.pem" \
        -tls1_2 -rev "${extra[@]}" || lt_finish
    tok=$(lt_token "oss-$mode")
    d="our client --reconnect 3 vs s_server -tls1_2 ${extra[*]:-(tickets)}"
    ours "cl-oss-$mode" "$d" "$(lt_port "oss-$mode")" "$(lt_reverse "$tok")" "$tok" --reconnect 3
    lt_expect_eq "$d: three times 'lucidtls: session resumed'" 3 "$(grep -c '^lucidtls: session resumed' "$LAST_ERR")"
    lt_expect_eq "$d: no full handshake after the first" 0 "$(grep -c '^lucidtls: full handshake' "$LAST_ERR")"
    # --sess-out, then --sess-in (another process of ours).
    tok=$(lt_token "oss-out-$mode")
    ours "cl-oss-out-$mode" "--sess-out vs s_server ($mode)" "$(lt_port "oss-$mode")" "$(lt_reverse "$tok")" "$tok" \
        --tls1_2 --sess-out "$WORK/ours-$mode.sess"
    tok=$(lt_token "oss-in-$mode")
    ours "cl-oss-in-$mode" "--sess-in vs s_server ($mode)" "$(lt_port "oss-$mode")" "$(lt_reverse "$tok")" "$tok" \
        --tls1_2 --sess-in "$WORK/ours-$mode.sess"
    lt_expect_contains "--sess-in vs s_server ($mode): session resumed" "$LAST_ERR" "lucidtls: session resumed"
    lt_stop_server "oss-$mode"
done

# ------------------------------------------------------------ our client -> gnutls-serv
if command -v gnutls-serv >/dev/null 2>&1; then
    for mode in ticket id; do
        extra=()
        [ "$mode" = id ] && extra=(--noticket)
        lt_start_server "gs-$mode" gnutls-serv --echo -p @PORT@ --x509certfile "$PKI/chain.pem" \
            --x509keyfile "$PKI/server.key" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.2" "${extra[@]}" || lt_finish
        tok=$(lt_token "gs-$mode")
        d="our client --reconnect 2 vs gnutls-serv TLS 1.2 ${extra[*]:-(tickets)}"
        ours "cl-gs-$mode" "$d" "$(lt_port "gs-$mode")" "$tok" "$tok" --reconnect 2
        lt_expect_eq "$d: twice 'lucidtls: session resumed'" 2 "$(grep -c '^lucidtls: session resumed' "$LAST_ERR")"
        lt_stop_server "gs-$mode"
    done
else
    lt_fail "gnutls-serv is installed" "in PATH" "missing (scripts/install_deps.sh: gnutls-bin)"
fi

# ------------------------------------------------------------ our client -> Python server
lt_start_server pys python3 "$PEER" server-default12 @PORT@ "$PKI/chain.pem" "$PKI/server.key" 2 || lt_finish
tok=$(lt_token pys)
d="our client --reconnect 1 vs a Python TLS 1.2 server"
ours cl-pys "$d" "$(lt_port pys)" "$tok" "$tok" --reconnect 1
lt_expect_contains "$d: session resumed" "$LAST_ERR" "lucidtls: session resumed"
lt_wait_exit pys
sall=$(lt_server_all pys)
lt_expect_eq "Python server: both connections TLS 1.2" 2 "$(grep -c '^negotiated TLSv1\.2 ' "$sall")"
lt_expect_eq "Python server: the first connection fresh, the second resumed" "False True" \
    "$(awk '/^session_reused / { printf "%s%s", sep, $2; sep = " " }' "$sall")"

lt_finish
