#!/usr/bin/env bash
# Failures that must fail, loudly and correctly, and never take a server down.
#
# lucidtls client vs openssl s_server: untrusted CA (unknown_ca, 48), hostname
# mismatch (bad_certificate, 42), expired certificate (certificate_expired,
# 45), a server with only suites lucidtls does not implement (DHE, Camellia:
# it sends handshake_failure), a server whose only ECDHE group we lack
# (P-521), a server that is not TLS at all; TLS 1.3: `--tls1_3` against a
# TLS 1.2-only s_server (protocol_version), a TLS 1.3 s_server with only a
# group or only a suite we lack (handshake_failure). Each: non-zero exit, one
# line on stderr that says why, and the alert we sent as s_server saw it.
# --ciphers naming a suite lucidtls does not implement (RC4, 3DES, Camellia,
# DHE, CCM) is refused before any connection.
#
# openssl s_client vs lucidtls server: only suites we do not implement
# offered, only an ECDHE group we lack, TLS 1.1 only, random bytes, plaintext
# HTTP, a client that hangs up mid handshake; TLS 1.3 only against a
# `--tls1_2` server and TLS 1.2 only against a `--tls1_3` server
# (protocol_version, 70), TLS 1.3 with no common group or suite
# (handshake_failure, 40). Each fails, and the server keeps serving: a good
# client right after succeeds. (s_client -tls1_3 against the default server
# now succeeds, and is checked so.)
#
# usage: test_negative.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem
S_CLIENT=(openssl s_client -nocommands -tls1_2 -CAfile "$CA" -verify_return_error -servername localhost)

# bad_client NAME S_SERVER_ARGS... -- CLIENT_ARGS... : our client against a
# one-shot s_server that should make it fail.
bad_client() {
    local name=$1
    shift
    local sargs=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        sargs+=("$1")
        shift
    done
    shift
    # TLS 1.2 unless the case names a version.
    case " ${sargs[*]} " in *" -tls1_"[23]" "*) ;; *) sargs=(-tls1_2 "${sargs[@]}") ;; esac
    lt_start_openssl_server "$name" -naccept 1 -rev "${sargs[@]}" || return 1
    lt_session "$name" 10 "should-not-arrive\n" "" "$LUCIDTLS" client "127.0.0.1:$(lt_port "$name")" "$@"
    lt_wait_exit "$name"
}

# ------------------------------------------------------------ untrusted CA
bad_client untrusted -cert "$PKI/untrusted-chain.pem" -key "$PKI/server.key" -- --cafile "$CA" --servername localhost
lt_expect_rc "untrusted CA: client fails" nonzero
lt_expect_match "untrusted CA: says so" "$LAST_ERR" 'unknown[ _]?ca|untrusted|not trusted|unknown (issuer|authority)|issuer'
lt_expect_one_line "untrusted CA"
lt_expect_contains "untrusted CA: s_server got unknown_ca (48)" "$(lt_server_all untrusted)" "SSL alert number 48"
lt_expect_file_eq "untrusted CA: nothing on stdout" "$LAST_OUT" ""

# ------------------------------------------------------------ hostname mismatch
bad_client wrongname -cert "$PKI/chain.pem" -key "$PKI/server.key" -- --cafile "$CA" --servername example.com
lt_expect_rc "hostname mismatch: client fails" nonzero
lt_expect_contains "hostname mismatch: names the wanted host" "$LAST_ERR" "example.com"
lt_expect_match "hostname mismatch: says it is the name" "$LAST_ERR" 'hostname|name mismatch|does not match'
lt_expect_one_line "hostname mismatch"
lt_expect_contains "hostname mismatch: s_server got bad_certificate (42)" "$(lt_server_all wrongname)" "SSL alert number 42"

# ------------------------------------------------------------ expired certificate
bad_client expired -cert "$PKI/expired-chain.pem" -key "$PKI/server.key" -- --cafile "$CA" --servername localhost
lt_expect_rc "expired certificate: client fails" nonzero
lt_expect_match "expired certificate: says expired" "$LAST_ERR" 'expired'
lt_expect_one_line "expired certificate"
lt_expect_contains "expired certificate: s_server got certificate_expired (45)" "$(lt_server_all expired)" "SSL alert number 45"

# ------------------------------------------------------------ a server with only suites we refuse
# Finite-field DHE and Camellia: real suites, and none of them lucidtls's.
bad_client dhe-only -cert "$PKI/chain.pem" -key "$PKI/server.key" \
    -cipher DHE-RSA-AES128-GCM-SHA256:DHE-RSA-CHACHA20-POLY1305:CAMELLIA128-SHA \
    -- --cafile "$CA" --servername localhost
lt_expect_rc "no common suite (server: DHE and Camellia only): client fails" nonzero
lt_expect_contains "no common suite: reports the server's handshake_failure" "$LAST_ERR" "handshake_failure"
lt_expect_one_line "no common suite"
lt_expect_match "no common suite: s_server found no shared cipher" "$(lt_server_all dhe-only)" 'no shared cipher'

# ECDHE suites only, on a group we do not offer (P-521): nothing in common.
bad_client p521-only -cert "$PKI/chain.pem" -key "$PKI/server.key" -cipher ECDHE-RSA-AES128-GCM-SHA256 -groups P-521 \
    -- --cafile "$CA" --servername localhost
lt_expect_rc "no common group (server: ECDHE on P-521 only): client fails" nonzero
lt_expect_contains "no common group: reports the server's handshake_failure" "$LAST_ERR" "handshake_failure"
lt_expect_one_line "no common group"
lt_expect_match "no common group: s_server found no shared cipher" "$(lt_server_all p521-only)" 'no shared cipher'

# ------------------------------------------------------------ a server that insists on a client certificate
bad_client needs-cert -cert "$PKI/chain.pem" -key "$PKI/server.key" -Verify 1 -CAfile "$CA" \
    -- --cafile "$CA" --servername localhost
lt_expect_rc "server requires a client certificate (we have none): client fails" nonzero
lt_expect_one_line "server requires a client certificate"
lt_expect_match "server requires a client certificate: s_server says the peer sent none" \
    "$(lt_server_all needs-cert)" 'peer did not return a certificate|no certificate'

# ------------------------------------------------------------ a client asking for a suite we do not have
# Refused while reading the options: the server (which would accept any of
# them) never sees a ClientHello.
lt_start_openssl_server noshare -tls1_2 -rev -cert "$PKI/chain.pem" -key "$PKI/server.key" -cipher 'ALL:@SECLEVEL=0' \
    || lt_finish
for suite in RC4-SHA DES-CBC3-SHA CAMELLIA128-SHA DHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES128-CCM \
    TLS_DHE_RSA_WITH_AES_256_GCM_SHA384; do
    lt_session "unknown-suite-$suite" 10 "x\n" "" "$LUCIDTLS" client "127.0.0.1:$(lt_port noshare)" --cafile "$CA" \
        --servername localhost --ciphers "$suite"
    lt_expect_rc "--ciphers $suite (not implemented): refused" 1
    lt_expect_contains "--ciphers $suite: names the suite" "$LAST_ERR" "unknown or unsupported cipher suite '$suite'"
    lt_expect_one_line "--ciphers $suite"
done
lt_expect_not_contains "--ciphers with unknown suites: no connection reached s_server" "$(lt_server_all noshare)" \
    "Client cipher list"
lt_stop_server noshare

# ------------------------------------------------------------ TLS 1.3: --tls1_3 against a TLS 1.2-only server
# Our ClientHello offers only TLS 1.3 (supported_versions); s_server, which
# speaks TLS 1.2 at most, refuses with protocol_version (RFC 8446 4.2.1).
bad_client s12only -tls1_2 -cert "$PKI/chain.pem" -key "$PKI/server.key" -- --cafile "$CA" --servername localhost --tls1_3
lt_expect_rc "client --tls1_3 vs s_server -tls1_2: client fails" nonzero
lt_expect_contains "client --tls1_3 vs s_server -tls1_2: names protocol_version" "$LAST_ERR" "protocol_version"
lt_expect_one_line "client --tls1_3 vs s_server -tls1_2"
lt_expect_match "client --tls1_3 vs s_server -tls1_2: s_server found no common version" "$(lt_server_all s12only)" \
    'unsupported protocol'

# ------------------------------------------------------------ TLS 1.3: no common group, no common suite
# RFC 8446 4.1.1: nothing acceptable in common, the server aborts with
# handshake_failure. We share and list P-384 only; s_server takes X25519 only
# (no HelloRetryRequest can help).
bad_client groups13 -tls1_3 -groups X25519 -cert "$PKI/chain.pem" -key "$PKI/server.key" \
    -- --cafile "$CA" --servername localhost --groups P-384
lt_expect_rc "TLS 1.3, no common group (we: P-384, s_server: X25519): client fails" nonzero
lt_expect_contains "TLS 1.3, no common group: reports the server's handshake_failure" "$LAST_ERR" "handshake_failure"
lt_expect_one_line "TLS 1.3, no common group"
# TLS_AES_128_CCM_SHA256 is a TLS 1.3 suite we do not implement.
bad_client suites13 -tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256 -cert "$PKI/chain.pem" -key "$PKI/server.key" \
    -- --cafile "$CA" --servername localhost
lt_expect_rc "TLS 1.3, no common suite (s_server: TLS_AES_128_CCM_SHA256 only): client fails" nonzero
lt_expect_contains "TLS 1.3, no common suite: reports the server's handshake_failure" "$LAST_ERR" "handshake_failure"
lt_expect_one_line "TLS 1.3, no common suite"
lt_expect_match "TLS 1.3, no common suite: s_server found no shared cipher" "$(lt_server_all suites13)" 'no shared cipher'

# ------------------------------------------------------------ a server that is not TLS
if command -v python3 >/dev/null 2>&1; then
    lt_start_server plain python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4)
while True:
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    c.close()
' @PORT@ || true
    lt_session plain 10 "x\n" "" "$LUCIDTLS" client "127.0.0.1:$(lt_port plain)" --cafile "$CA" --servername localhost
    lt_expect_rc "plaintext HTTP server: client fails promptly" nonzero
    lt_expect_one_line "plaintext HTTP server"
    lt_stop_server plain
fi

# ------------------------------------------------------------ bad clients against lucidtls server
lt_start_lucidtls_server srv --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
PORT=$(lt_port srv)

good_client() {
    local after=$1 tok
    tok=$(lt_token good)
    lt_session "good-after-$after" 10 "$tok\n" "$tok" "${S_CLIENT[@]}" -connect "127.0.0.1:$PORT" -cipher AES128-GCM-SHA256
    lt_expect_rc "after $after: server alive, a good client succeeds" 0
    lt_expect_contains "after $after: echo works" "$LAST_OUT" "$tok"
}

# Only suites lucidtls does not implement offered: handshake_failure, and the
# server lives on.
for offer in DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384 CAMELLIA256-SHA:CAMELLIA128-SHA; do
    lt_session "nocommon-${offer%%:*}" 10 "x\n" "" "${S_CLIENT[@]}" -connect "127.0.0.1:$PORT" -cipher "$offer"
    lt_expect_rc "s_client offering only $offer: fails" nonzero
    lt_expect_match "s_client offering only $offer: got handshake_failure (40)" "$LAST_ALL" \
        'alert handshake failure|alert number 40'
    lt_expect_alive "server survives a client with no common suite ($offer)" srv
    good_client "no-common-suite-${offer%%:*}"
done

# ECDHE only, on a group we lack (P-521): RFC 8422 5.1.1, no ECDHE suite can
# be chosen, and no other suite was offered.
lt_session p521-client 10 "x\n" "" "${S_CLIENT[@]}" -connect "127.0.0.1:$PORT" -cipher ECDHE-RSA-AES128-GCM-SHA256 \
    -groups P-521
lt_expect_rc "s_client with ECDHE on P-521 only: fails" nonzero
lt_expect_match "s_client with ECDHE on P-521 only: got handshake_failure (40)" "$LAST_ALL" \
    'alert handshake failure|alert number 40'
lt_expect_alive "server survives a client with no common group" srv
good_client "no-common-group"

# TLS 1.3 only: the default server speaks TLS 1.3, so this one succeeds.
tok=$(lt_token tls13)
lt_session tls13-only 10 "$tok\n" "$tok" openssl s_client -nocommands -tls1_3 -CAfile "$CA" -verify_return_error \
    -servername localhost -connect "127.0.0.1:$PORT"
lt_expect_rc "s_client -tls1_3 vs the default server: succeeds" 0
lt_expect_contains "s_client -tls1_3 vs the default server: TLSv1.3" "$LAST_OUT" "New, TLSv1.3"
lt_expect_contains "s_client -tls1_3 vs the default server: echo" "$LAST_OUT" "$tok"

# TLS 1.3, nothing in common: only X25519 offered to a server that takes
# P-256 only (a HelloRetryRequest cannot help), only a suite we lack offered
# (TLS_AES_128_CCM_SHA256). RFC 8446 4.1.1: handshake_failure.
lt_start_lucidtls_server p256only --cert "$PKI/chain.pem" --key "$PKI/server.key" --groups P-256 || lt_finish
lt_session groups13 10 "x\n" "" openssl s_client -tls1_3 -groups X25519 -CAfile "$CA" -connect "127.0.0.1:$(lt_port p256only)"
lt_expect_rc "s_client -tls1_3 -groups X25519 vs server --groups P-256: fails" nonzero
lt_expect_match "s_client -tls1_3 -groups X25519 vs server --groups P-256: got handshake_failure (40)" "$LAST_ALL" \
    'alert handshake failure|alert number 40'
lt_expect_alive "server --groups P-256 survives a client with no common group" p256only
lt_stop_server p256only
lt_session suites13 10 "x\n" "" openssl s_client -tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256 -CAfile "$CA" \
    -connect "127.0.0.1:$PORT"
lt_expect_rc "s_client -tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256: fails" nonzero
lt_expect_match "s_client -tls1_3 -ciphersuites TLS_AES_128_CCM_SHA256: got handshake_failure (40)" "$LAST_ALL" \
    'alert handshake failure|alert number 40'
lt_expect_alive "server survives a TLS 1.3 client with no common suite" srv
good_client "tls1.3-no-common-suite"

# A server limited to TLS 1.2 and a TLS 1.3-only client: the ClientHello
# offers only TLS 1.3 in supported_versions, so the server has no version in
# common and sends protocol_version (RFC 8446 4.2.1; RFC 5246 E.1). And the
# other way round: a --tls1_3 server and a TLS 1.2-only client (no
# supported_versions: RFC 8446 4.2.1, it cannot negotiate TLS 1.3).
lt_start_lucidtls_server only12 --cert "$PKI/chain.pem" --key "$PKI/server.key" --tls1_2 || lt_finish
lt_start_lucidtls_server only13 --cert "$PKI/chain.pem" --key "$PKI/server.key" --tls1_3 || lt_finish
for case in "only12 --tls1_2 -tls1_3" "only13 --tls1_3 -tls1_2"; do
    read -r srv flag ver <<<"$case"
    lt_session "$srv$ver" 10 "x\n" "" openssl s_client "$ver" -CAfile "$CA" -connect "127.0.0.1:$(lt_port "$srv")"
    lt_expect_rc "s_client $ver vs server $flag: fails" nonzero
    lt_expect_match "s_client $ver vs server $flag: s_client got protocol_version (70)" "$LAST_ALL" \
        'alert protocol version|alert number 70'
    lt_expect_alive "server $flag survives a client with no common version" "$srv"
done
tok=$(lt_token after12)
lt_session only12-good 10 "$tok\n" "$tok" "${S_CLIENT[@]}" -connect "127.0.0.1:$(lt_port only12)"
lt_expect_rc "server --tls1_2: a TLS 1.2 client right after succeeds" 0
lt_expect_contains "server --tls1_2: echo" "$LAST_OUT" "$tok"
lt_stop_server only12
lt_stop_server only13

# TLS 1.1 only (allowed on the client side with SECLEVEL=0): RFC 5246 E.1,
# a server that only speaks higher versions sends protocol_version.
lt_session tls11-only 10 "x\n" "" openssl s_client -tls1_1 -cipher 'AES128-SHA:@SECLEVEL=0' -connect "127.0.0.1:$PORT"
lt_expect_rc "s_client -tls1_1: fails" nonzero
lt_expect_match "s_client -tls1_1: got protocol_version (70)" "$LAST_ALL" 'alert protocol version|alert number 70'
lt_expect_alive "server survives a TLS 1.1-only client" srv
good_client "tls1.1-only"

# Client-initiated renegotiation (s_client's "R" command): refused with a
# warning no_renegotiation (RFC 5746 4.5). OpenSSL 3.0 then gives up the
# connection itself; the server must carry on serving.
# shellcheck disable=SC2317  # called through lt_run
reneg_input() {
    printf 'before-reneg\n'
    sleep 0.5
    printf 'R\n'
    sleep 1
}
lt_run reneg 10 reneg_input openssl s_client -tls1_2 -msg -CAfile "$CA" -servername localhost \
    -connect "127.0.0.1:$PORT" -cipher AES128-SHA256
lt_expect_contains "client-initiated renegotiation: data before it echoed" "$LAST_OUT" "before-reneg"
lt_expect_match "client-initiated renegotiation: refused with warning no_renegotiation" "$LAST_ALL" \
    'Alert \[length 0002\], warning no_renegotiation'
lt_expect_alive "server survives a renegotiation attempt" srv
good_client "renegotiation-attempt"

# Raw bytes. Bash's /dev/tcp, so no netcat is needed.
send_raw() {
    # send_raw GENERATOR: connect, send, close; at most 5 s.
    timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && $1 >&3 && sleep 0.3; exec 3>&-" 2>/dev/null
}
send_raw 'head -c 100 /dev/urandom'
lt_expect_alive "server survives 100 random bytes" srv
good_client "random-bytes"

send_raw "printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n'"
lt_expect_alive "server survives a plaintext HTTP request" srv
good_client "plaintext-http"

# A handshake record header that promises 2^14+ bytes, then nothing more.
send_raw "printf '\x16\x03\x03\xff\xff\x01\x00'"
lt_expect_alive "server survives an oversized record header" srv
good_client "oversized-record"

# A complete ClientHello (TLS 1.2, one suite, no extensions), then hang up
# before the key exchange.
CH='\x16\x03\x01\x00\x2d\x01\x00\x00\x29\x03\x03'
CH+=$(printf '\\x%02x' $(seq 1 32))
CH+='\x00\x00\x02\x00\x9c\x01\x00'
send_raw "printf '$CH'"
lt_expect_alive "server survives a client that hangs up mid-handshake" srv
good_client "hangup"

# An empty connection.
send_raw 'true'
lt_expect_alive "server survives an empty connection" srv
good_client "empty-connection"

# ------------------------------------------------------------ one client must not block the others
# An idle TCP connection, and a slowloris that sent 3 bytes of a record
# header, stay open while a good client connects: it must be served at once.
hold_open() {
    # hold_open NAME BYTES: connect, send BYTES (printf format), keep the socket open 20 s.
    timeout 25 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT && printf '$2' >&3 && sleep 20" 2>/dev/null &
    LT_PIDS+=("$!")
    eval "HOLD_$1=$!"
}
hold_open idle ''
hold_open slow '\x16\x03\x01'
sleep 0.5
t0=$(date +%s%N)
good_client "idle-and-slow-connections-open"
ms=$((($(date +%s%N) - t0) / 1000000))
if [ "$ms" -lt 8000 ]; then
    lt_pass "a good client is served in ${ms} ms while an idle and a slow connection are open"
else
    lt_fail "a good client is served while an idle and a slow connection are open" "under 8000 ms (a blocked server would wait for its 10 s handshake timeout)" "${ms} ms"
fi
# shellcheck disable=SC2154
for p in "$HOLD_idle" "$HOLD_slow"; do
    lt_is_ours "$p" && kill "$p" 2>/dev/null
    lt_reap "$p"
done

lt_finish
