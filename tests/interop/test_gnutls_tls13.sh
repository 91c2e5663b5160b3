#!/usr/bin/env bash
# GnuTLS against lucidtls in TLS 1.3 (RFC 8446), both ways.
#
# gnutls-cli against `lucidtls server` and `lucidtls client` against
# gnutls-serv --echo: each of the three TLS 1.3 suites and each group
# (X25519, SECP256R1, SECP384R1) at least once, RSA, ECDSA P-256 and P-384
# certificates (RFC 8446 4.2.3: RSA-PSS for RSA keys, the curve's own hash
# for ECDSA), data both ways each time, and the session as GnuTLS describes
# it: "(TLS1.3-X.509)-(ECDHE-group)-(signature)-(cipher)". Then:
# HelloRetryRequest (4.1.4) both ways, no group in common (4.1.1), PSK
# resumption (4.6.1, 2.2) both ways, KeyUpdate (4.6.3) both ways, and the
# default priority of each side settling on TLS 1.3. TLS 1.2 with GnuTLS:
# test_gnutls.sh, test_gnutls_ecdhe.sh.
#
# usage: test_gnutls_tls13.sh BUILD_DIR
# shellcheck disable=SC2317  # input generators are called through lt_run
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

if ! command -v gnutls-cli >/dev/null 2>&1 || ! command -v gnutls-serv >/dev/null 2>&1; then
    lt_fail "gnutls-cli and gnutls-serv are installed" "both in PATH" "missing (run scripts/install_deps.sh: gnutls-bin)"
    lt_finish
fi
lt_log "== $(gnutls-cli --version | head -n 1)"

CA=$PKI/ca.pem
TLS13=NORMAL:-VERS-ALL:+VERS-TLS1.3
# The signature part of GnuTLS's description, per certificate. RSA keys sign
# with RSA-PSS in TLS 1.3 (RFC 8446 4.2.3: never PKCS#1 v1.5 in
# CertificateVerify); an ECDSA key with its curve's hash.
declare -A SIG_RE=([RSA]='RSA-PSS-RSAE-SHA(256|384|512)' [ECDSA]='ECDSA-SECP256R1-SHA256' [P384]='ECDSA-SECP384R1-SHA384')
# Each suite with a group: together they cover all three of each.
SUITE_GROUPS="TLS_AES_128_GCM_SHA256 AES-128-GCM X25519
TLS_AES_256_GCM_SHA384 AES-256-GCM SECP256R1
TLS_CHACHA20_POLY1305_SHA256 CHACHA20-POLY1305 SECP384R1"

# desc_re GROUP IDENT CIPHER — GnuTLS's description of a full TLS 1.3 handshake.
desc_re() { echo "^- Description: \(TLS1\.3-X\.509\)-\(ECDHE-$1\)-\(${SIG_RE[$2]}\)-\($3\)\$"; }

# ------------------------------------------------------------ gnutls-cli -> lucidtls server
lt_start_lucidtls_server RSA --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
lt_start_lucidtls_server ECDSA --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
lt_start_lucidtls_server P384 --cert "$PKI/chain-p384.pem" --key "$PKI/server-p384.key" || lt_finish
lt_start_lucidtls_server BOTH --cert "$PKI/chain.pem" --key "$PKI/server.key" \
    --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
# Our server wants P-256 only: a client whose key shares are for other
# groups gets a HelloRetryRequest. --explain narrates it.
lt_start_lucidtls_server HRR --groups P-256 --explain --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
lt_start_lucidtls_server KU --key-update --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish

# gc NAME DESC SERVER PRIORITY DESCRIPTION_ERE [GNUTLS_ARGS...] — gnutls-cli
# against our SERVER: handshake, a line echoed back, a clean close.
gc() {
    local name=$1 desc=$2 srv=$3 prio=$4 re=$5 tok
    shift 5
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$tok" gnutls-cli --x509cafile "$CA" --priority "$prio" "$@" \
        -p "$(lt_port "$srv")" localhost
    lt_expect_rc "$desc: gnutls-cli handshake + clean close" 0
    lt_expect_contains "$desc: line echoed back (data both ways)" "$LAST_OUT" "$tok"
    lt_expect_contains "$desc: certificate trusted" "$LAST_ALL" "The certificate is trusted"
    lt_expect_match "$desc: session" "$LAST_ALL" "$re"
}

while read -r iana cipher group; do
    gc "gc-$iana" "[$iana, $group] gnutls-cli TLS 1.3 only vs our RSA server" RSA \
        "$TLS13:-CIPHER-ALL:+$cipher:-GROUP-ALL:+GROUP-$group" "$(desc_re "$group" RSA "$cipher")"
done <<<"$SUITE_GROUPS"

# GnuTLS's defaults (TLS 1.3 and 1.2 offered) against each identity: TLS
# 1.3, our first suite (AES-128-GCM) and our first group (x25519).
gc gc-default-RSA "gnutls-cli NORMAL vs our RSA server" RSA NORMAL "$(desc_re X25519 RSA AES-128-GCM)"
gc gc-default-ECDSA "gnutls-cli NORMAL vs our ECDSA P-256 server" ECDSA NORMAL "$(desc_re X25519 ECDSA AES-128-GCM)"
gc gc-default-P384 "gnutls-cli NORMAL vs our ECDSA P-384 server" P384 NORMAL "$(desc_re X25519 P384 AES-128-GCM)"
# Both identities: GnuTLS lists ECDSA signatures first, so the ECDSA one;
# with RSA signatures only, the RSA one.
gc gc-both "gnutls-cli NORMAL vs our two-identity server" BOTH NORMAL "$(desc_re X25519 ECDSA AES-128-GCM)"
gc gc-both-rsa "gnutls-cli RSA-PSS signatures only vs our two-identity server" BOTH \
    "NORMAL:-SIGN-ALL:+SIGN-RSA-PSS-RSAE-SHA256" "$(desc_re X25519 RSA AES-128-GCM)"

# HelloRetryRequest (RFC 8446 4.1.4): GnuTLS sends key shares for its first
# group and its first of another kind (here X25519 and SECP384R1), none for
# SECP256R1, the only group our HRR server takes.
gc gc-hrr "gnutls-cli X25519,SECP384R1,SECP256R1 vs our server --groups P-256" HRR \
    "NORMAL:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP384R1:+GROUP-SECP256R1" \
    "$(desc_re SECP256R1 RSA AES-128-GCM)" -d 4
lt_expect_contains "HRR: gnutls-cli received a HelloRetryRequest" "$LAST_ALL" "HELLO RETRY REQUEST (1025) was received"
lt_expect_contains "HRR: our server narrates the HelloRetryRequest" "$(lt_server_err HRR)" "(HelloRetryRequest)"

# No group in common (RFC 8446 4.1.1): abort with handshake_failure (40)
# or insufficient_security (71).
lt_session gc-nogroup 10 "" "" gnutls-cli --x509cafile "$CA" --priority "NORMAL:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP384R1" \
    -p "$(lt_port HRR)" localhost
lt_expect_rc "no group in common with our server --groups P-256: gnutls-cli fails" nonzero
lt_expect_match "no group in common: gnutls-cli got a handshake_failure or insufficient_security alert" "$LAST_ALL" \
    'Received alert \[(40|71)\]'
lt_expect_not_contains "no group in common: no session" "$LAST_ALL" "Handshake was completed"

# PSK resumption (RFC 8446 2.2): gnutls-cli --resume connects, takes our
# NewSessionTicket, closes, and connects again with it (psk_dhe_ke).
gc gc-resume "gnutls-cli --resume vs our RSA server" RSA NORMAL "$(desc_re X25519 RSA AES-128-GCM)" --resume
lt_expect_contains "gnutls-cli --resume: the second handshake is a resumption" "$LAST_ALL" "*** This is a resumed session"
lt_expect_contains "gnutls-cli --resume: resumption handshake completed" "$LAST_ALL" "- Resume Handshake was completed"
lt_expect_eq "gnutls-cli --resume: both handshakes TLS 1.3" 2 "$(grep -c '^- Description: (TLS1\.3-' "$LAST_ALL")"

# KeyUpdate (RFC 8446 4.6.3): our server updates its keys right after the
# handshake and asks for the client's; two lines, the second after the
# first came back, so both directions run on updated keys.
TOK1=$(lt_token ku1)
TOK2=$(lt_token ku2)
# (lt_run has set LAST_OUT, gnutls-cli's stdout, before it starts this.)
two_lines() {
    printf '%s\n' "$TOK1"
    lt_wait_for "$LAST_OUT" "$TOK1" 8
    printf '%s\n' "$TOK2"
    lt_wait_for "$LAST_OUT" "$TOK2" 8
}
lt_run gc-ku 10 two_lines gnutls-cli -d 4 --x509cafile "$CA" --priority NORMAL -p "$(lt_port KU)" localhost
lt_expect_rc "our server --key-update vs gnutls-cli: handshake + clean close" 0
lt_expect_contains "KeyUpdate: gnutls-cli got our update_requested KeyUpdate" "$LAST_ALL" "received TLS 1.3 key update (1)"
lt_expect_contains "KeyUpdate: gnutls-cli answered with its own KeyUpdate" "$LAST_ALL" "sending key update (0)"
lt_expect_contains "KeyUpdate: first line echoed" "$LAST_OUT" "$TOK1"
lt_expect_contains "KeyUpdate: second line echoed (both sides on new keys)" "$LAST_OUT" "$TOK2"
lt_expect_match "KeyUpdate: TLS 1.3 session" "$LAST_ALL" "$(desc_re X25519 RSA AES-128-GCM)"

for srv in RSA ECDSA P384 BOTH HRR KU; do
    lt_expect_alive "our $srv server still serving after GnuTLS clients" "$srv"
done
for srv in RSA ECDSA P384 BOTH KU; do
    lt_expect_not_contains "our $srv server: no failed handshake" "$(lt_server_err "$srv")" "handshake failed"
done
for srv in RSA ECDSA P384 BOTH HRR KU; do
    lt_stop_server "$srv"
done

# ------------------------------------------------------------ lucidtls client -> gnutls-serv --echo
# gs_start NAME IDENT PRIORITY [GNUTLS_ARGS...]
gs_start() {
    local name=$1 ident=$2 prio=$3
    shift 3
    lt_start_server "$name" gnutls-serv --echo --disable-client-cert --x509certfile "$(lt_chain_of "$ident")" \
        --x509keyfile "$(lt_key_of "$ident")" --priority "$prio" "$@" -p @PORT@
}
# gs_client NAME DESC SERVER [CLIENT_ARGS...] — our client, one line echoed.
gs_client() {
    local name=$1 desc=$2 srv=$3 tok
    shift 3
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$tok" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "$srv")" --cafile "$CA" --servername localhost "$@"
    lt_expect_rc "$desc: lucidtls client exits 0" 0
    lt_expect_file_eq "$desc: stdout is exactly the echoed line (data both ways)" "$LAST_OUT" "$tok"$'\n'
}
# gs NAME DESC IDENT PRIORITY DESCRIPTION_ERE [CLIENT_ARGS...] — a gnutls-serv
# of its own, our client once, then gnutls-serv's description of the session.
gs() {
    local name=$1 desc=$2 ident=$3 prio=$4 re=$5
    shift 5
    gs_start "$name" "$ident" "$prio" || return 0
    gs_client "$name" "$desc" "$name" "$@"
    lt_stop_server "$name"
    GS_ALL=$(lt_server_all "$name")
    lt_expect_match "$desc: gnutls-serv's session" "$GS_ALL" "$re"
    lt_expect_contains "$desc: gnutls-serv got SNI 'localhost'" "$GS_ALL" "Given server name[1]: localhost"
}

while read -r iana cipher group; do
    # Our client's key share is for x25519 alone: for the other groups
    # gnutls-serv asks for one with a HelloRetryRequest (checked below).
    gs "gs-$iana" "[$iana, $group] lucidtls client vs gnutls-serv TLS 1.3 only (RSA)" RSA \
        "$TLS13:-CIPHER-ALL:+$cipher:-GROUP-ALL:+GROUP-$group" "$(desc_re "$group" RSA "$cipher")"
done <<<"$SUITE_GROUPS"
gs gs-ECDSA "lucidtls client vs gnutls-serv TLS 1.3 only (ECDSA P-256)" ECDSA "$TLS13" \
    "$(desc_re X25519 ECDSA 'AES-(128|256)-GCM')"
gs gs-P384 "lucidtls client vs gnutls-serv TLS 1.3 only (ECDSA P-384)" P384 "$TLS13" \
    "$(desc_re X25519 P384 'AES-(128|256)-GCM')"
# Both at their defaults: TLS 1.3.
gs gs-default "lucidtls client vs gnutls-serv NORMAL (RSA)" RSA NORMAL "$(desc_re X25519 RSA 'AES-(128|256)-GCM')"
# Our --groups: a key share for P-384 first, taken as it is (no HRR).
gs gs-ours-p384 "lucidtls client --groups P-384:x25519 vs gnutls-serv NORMAL" RSA NORMAL \
    "$(desc_re SECP384R1 RSA 'AES-(128|256)-GCM')" --groups P-384:x25519
lt_expect_not_contains "our --groups P-384 first: no HelloRetryRequest" "$GS_ALL" "HELLO RETRY REQUEST"

# HelloRetryRequest (RFC 8446 4.1.4) from gnutls-serv: SECP256R1 only.
gs gs-hrr "lucidtls client vs gnutls-serv SECP256R1 only" RSA "$TLS13:-GROUP-ALL:+GROUP-SECP256R1" \
    "$(desc_re SECP256R1 RSA 'AES-(128|256)-GCM')" --explain
lt_expect_match "HRR: our client narrates the HelloRetryRequest" "$LAST_ERR" 'hello_retry|HelloRetryRequest'
gs_start gs-hrr-d RSA "$TLS13:-GROUP-ALL:+GROUP-SECP256R1" -d 4 || lt_finish
gs_client gs-hrr-d "lucidtls client vs gnutls-serv -d 4 SECP256R1 only" gs-hrr-d
lt_stop_server gs-hrr-d
lt_expect_contains "HRR: gnutls-serv sent a HelloRetryRequest" "$(lt_server_all gs-hrr-d)" "HELLO RETRY REQUEST was queued"
lt_expect_contains "HRR: gnutls-serv asked for SECP256R1" "$(lt_server_all gs-hrr-d)" "requesting retry with group SECP256R1"
lt_expect_match "HRR: the second ClientHello's share made it" "$(lt_server_all gs-hrr-d)" "$(desc_re SECP256R1 RSA 'AES-(128|256)-GCM')"

# PSK resumption (RFC 8446 2.2): --sess-out keeps gnutls-serv's ticket,
# --sess-in offers it on the next connection.
gs_start gs-resume RSA NORMAL || lt_finish
SESS=$WORK/gnutls.sess
gs_client gs-full "our client --sess-out vs gnutls-serv" gs-resume --sess-out "$SESS"
lt_expect_eq "--sess-out wrote a session file" yes "$([ -s "$SESS" ] && echo yes || echo no)"
gs_client gs-resumed "our client --sess-in vs the same gnutls-serv" gs-resume --sess-in "$SESS"
lt_expect_contains "--sess-in: our client says the session was resumed" "$LAST_ERR" "lucidtls: session resumed"
lt_stop_server gs-resume
lt_expect_eq "gnutls-serv: exactly one resumed session" 1 "$(grep -cF '*** This is a resumed session' "$(lt_server_all gs-resume)")"
# A new gnutls-serv has a new ticket key: the ticket is refused, a full
# handshake follows (RFC 8446 4.2.11: the server may not accept a PSK).
gs_start gs-other RSA NORMAL || lt_finish
gs_client gs-other "our client --sess-in vs another gnutls-serv" gs-other --sess-in "$SESS"
lt_expect_contains "ticket from another server: full handshake" "$LAST_ERR" \
    "lucidtls: full handshake (the session was not resumed)"
lt_stop_server gs-other
lt_expect_not_contains "another gnutls-serv: no resumed session" "$(lt_server_all gs-other)" "This is a resumed session"

# KeyUpdate (RFC 8446 4.6.3): our client updates its keys and asks gnutls-serv to.
gs_start gs-ku RSA NORMAL -d 4 || lt_finish
gs_client gs-ku "our client --key-update vs gnutls-serv" gs-ku --key-update
lt_stop_server gs-ku
lt_expect_contains "KeyUpdate: gnutls-serv got our update_requested KeyUpdate" "$(lt_server_all gs-ku)" \
    "received TLS 1.3 key update (1)"
lt_expect_contains "KeyUpdate: gnutls-serv answered with its own" "$(lt_server_all gs-ku)" "sending key update (0)"

lt_finish
