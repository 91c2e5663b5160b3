#!/usr/bin/env bash
# openssl s_client (and curl) against `lucidtls server`, over loopback.
#
# RFC 5246 interop, lucidtls as the server: every suite, data both ways, EMS
# (RFC 7627) and renegotiation_info (RFC 5746) as OpenSSL sees them, the --www
# mode (whole, \n\n-terminated and split requests), curl, server-side cipher
# preference (--ciphers with IANA and OpenSSL names), and that --explain never
# shows a secret.
#
# usage: test_openssl_client.sh BUILD_DIR
# shellcheck disable=SC2317  # request generators are called through lt_run
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem
S_CLIENT=(openssl s_client -nocommands -tls1_2 -CAfile "$CA" -verify_return_error -servername localhost -verify_hostname localhost)

# ------------------------------------------------------------ echo mode, each suite
lt_start_lucidtls_server echo --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
PORT=$(lt_port echo)

while read -r iana ossl; do
    tok=$(lt_token "$ossl")
    lt_session "sc-$ossl" 10 "$tok\n" "$tok" \
        "${S_CLIENT[@]}" -connect "127.0.0.1:$PORT" -cipher "$ossl"
    lt_expect_rc "[$iana] s_client handshake + clean close" 0
    lt_expect_contains "[$iana] line echoed back (data both ways)" "$LAST_OUT" "$tok"
    lt_expect_contains "[$iana] s_client negotiated $ossl" "$LAST_OUT" "Cipher is $ossl"
    lt_expect_contains "[$iana] protocol TLSv1.2" "$LAST_OUT" "Protocol  : TLSv1.2"
    lt_expect_contains "[$iana] extended master secret (RFC 7627)" "$LAST_OUT" "Extended master secret: yes"
    lt_expect_contains "[$iana] secure renegotiation (RFC 5746)" "$LAST_OUT" "Secure Renegotiation IS supported"
    lt_expect_contains "[$iana] certificate chain verified" "$LAST_OUT" "Verify return code: 0 (ok)"
done <<<"$LT_SUITES"

# Bulk data: records are fragmented at 2^14 and reassembled, both directions.
big=$(head -c 45000 /dev/urandom | base64 -w0 | head -c 60000)
for ossl in AES256-SHA256 AES256-GCM-SHA384; do
    lt_session "bulk-$ossl" 15 "$big\n" "$big" \
        "${S_CLIENT[@]}" -connect "127.0.0.1:$PORT" -cipher "$ossl"
    lt_expect_rc "[$ossl] 60000-byte line: clean close" 0
    lt_expect_contains "[$ossl] 60000-byte line echoed intact" "$LAST_OUT" "$big"
done

# Several lines in one session, and the server is still serving.
l1=$(lt_token one) l2=$(lt_token two)
lt_session multi 10 "$l1\n$l2\n" "$l2" "${S_CLIENT[@]}" -connect "127.0.0.1:$PORT"
lt_expect_rc "two lines in one session" 0
lt_expect_contains "first line echoed" "$LAST_OUT" "$l1"
lt_expect_contains "second line echoed" "$LAST_OUT" "$l2"
lt_expect_alive "echo server still serving after $((6 + 3)) connections" echo

# ------------------------------------------------------------ --www mode
lt_start_lucidtls_server www --cert "$PKI/chain.pem" --key "$PKI/server.key" --www || lt_finish
WPORT=$(lt_port www)


req_crlf() { printf 'GET / HTTP/1.0\r\n\r\n'; }
req_lf() { printf 'GET / HTTP/1.0\n\n'; }
req_split() {
    printf 'GET / HT'
    sleep 0.3
    printf 'TP/1.0\r\nUser-Agent: split'
    sleep 0.3
    printf '\r\n'
    sleep 0.3
    printf '\r\n'
}

for variant in crlf:AES128-GCM-SHA256 lf:AES256-SHA split:AES128-SHA256; do
    gen=req_${variant%%:*}
    ossl=${variant#*:}
    iana=$(lt_iana_of "$ossl")
    lt_run "www-$variant" 15 "$gen" "${S_CLIENT[@]}" -connect "127.0.0.1:$WPORT" -cipher "$ossl" -ign_eof
    lt_expect_rc "--www, ${variant%%:*} request: s_client exits 0 (server closed cleanly)" 0
    lt_expect_contains "--www, ${variant%%:*} request: status line" "$LAST_OUT" "HTTP/1.0 200 OK"
    lt_expect_contains "--www, ${variant%%:*} request: body names the protocol" "$LAST_OUT" "Protocol: TLSv1.2"
    lt_expect_contains "--www, ${variant%%:*} request: body names the suite" "$LAST_OUT" "Cipher: $iana ($ossl)"
    lt_expect_match "--www, ${variant%%:*} request: server sent close_notify" "$LAST_OUT" '^closed$'
done

# curl with its defaults: TLS 1.3, which the server prefers (the TLS 1.3
# tests are test_openssl_tls13_*.sh).
if command -v curl >/dev/null 2>&1; then
    lt_run curl13 15 - curl -sS -v --cacert "$CA" --resolve "localhost:$WPORT:127.0.0.1" "https://localhost:$WPORT/"
    lt_expect_rc "curl (defaults) https://localhost:$WPORT/" 0
    lt_expect_contains "curl (defaults): TLS 1.3" "$LAST_ERR" "SSL connection using TLSv1.3 / TLS_AES_128_GCM_SHA256"
    lt_expect_contains "curl (defaults): body names the protocol" "$LAST_OUT" "Protocol: TLSv1.3"
    # curl capped at TLS 1.2 (--tls-max 1.2), with its default TLS 1.2
    # ClientHello otherwise: the server ignores what it does not implement
    # (ALPN, ...) and picks ECDHE, forward secrecy.
    lt_run curl 15 - curl -sS -i -v --tls-max 1.2 --cacert "$CA" --resolve "localhost:$WPORT:127.0.0.1" \
        "https://localhost:$WPORT/"
    lt_expect_rc "curl --tls-max 1.2 https://localhost:$WPORT/" 0
    lt_expect_contains "curl: status line" "$LAST_OUT" "HTTP/1.0 200 OK"
    lt_expect_contains "curl: body names the protocol" "$LAST_OUT" "Protocol: TLSv1.2"
    curl_suite=$(sed -n 's/.*SSL connection using TLSv1.2 \/ \([A-Z0-9-]*\).*/\1/p' "$LAST_ERR" | head -n 1)
    if [ -n "$curl_suite" ] && [ -n "$(lt_iana_of "$curl_suite")" ] && [ "${curl_suite#ECDHE-RSA-}" != "$curl_suite" ]; then
        lt_pass "curl --tls-max 1.2 negotiated TLSv1.2 with an ECDHE_RSA suite ($curl_suite)"
        lt_expect_contains "curl: body names the suite curl saw" "$LAST_OUT" "Cipher: $(lt_iana_of "$curl_suite") ($curl_suite)"
    else
        lt_fail "curl --tls-max 1.2 negotiated TLSv1.2 with an ECDHE_RSA suite" \
            "'SSL connection using TLSv1.2 / ECDHE-RSA-<...>'" \
            "$(grep -m1 'SSL connection using' "$LAST_ERR" || echo 'no such line')"
    fi
    lt_run curl-cbc 15 - curl -sS --cacert "$CA" --resolve "localhost:$WPORT:127.0.0.1" \
        --tlsv1.2 --tls-max 1.2 --ciphers AES256-SHA256 "https://localhost:$WPORT/"
    lt_expect_rc "curl --ciphers AES256-SHA256" 0
    lt_expect_contains "curl --ciphers AES256-SHA256: body names the suite" "$LAST_OUT" \
        "Cipher: TLS_RSA_WITH_AES_256_CBC_SHA256 (AES256-SHA256)"
    lt_run curl-ip 15 - curl -sS --tls-max 1.2 --cacert "$CA" "https://127.0.0.1:$WPORT/"
    lt_expect_rc "curl https://127.0.0.1:$WPORT/ (IP SAN, no SNI)" 0
    lt_expect_contains "curl by IP: body" "$LAST_OUT" "Protocol: TLSv1.2"
else
    lt_fail "curl is installed" "curl in PATH" "not found (run scripts/install_deps.sh)"
fi
lt_expect_alive "www server still serving" www

# ------------------------------------------------------------ server cipher preference
# "A server picks by its own order": the server lists AES256-GCM-SHA384
# first (IANA name) and AES128-SHA second (OpenSSL name); the client offers
# all six in its own order.
lt_start_lucidtls_server pref --cert "$PKI/chain.pem" --key "$PKI/server.key" \
    --ciphers TLS_RSA_WITH_AES_256_GCM_SHA384:AES128-SHA || lt_finish
PPORT=$(lt_port pref)
tok=$(lt_token pref)
lt_session pref-all 10 "$tok\n" "$tok" "${S_CLIENT[@]}" -connect "127.0.0.1:$PPORT" -cipher "$LT_ALL_OSSL"
lt_expect_rc "--ciphers: client offers all six" 0
lt_expect_contains "--ciphers: server picks its first choice" "$LAST_OUT" "Cipher is AES256-GCM-SHA384"
lt_session pref-second 10 "$tok\n" "$tok" "${S_CLIENT[@]}" -connect "127.0.0.1:$PPORT" -cipher AES256-SHA:AES128-SHA
lt_expect_rc "--ciphers: client offers AES256-SHA:AES128-SHA" 0
lt_expect_contains "--ciphers: server picks the one it allows" "$LAST_OUT" "Cipher is AES128-SHA"
lt_session pref-none 10 "$tok\n" "" "${S_CLIENT[@]}" -connect "127.0.0.1:$PPORT" -cipher AES128-SHA256
lt_expect_rc "--ciphers: a suite the server left out is refused" nonzero
lt_expect_match "--ciphers: refused with handshake_failure" "$LAST_ALL" 'handshake failure|alert number 40'
lt_expect_alive "pref server still serving" pref

# ------------------------------------------------------------ IPv6 loopback
if grep -qE ' lo$' /proc/net/if_inet6 2>/dev/null && grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; then
    lt_start_server v6 "$LUCIDTLS" server --port @PORT@ --host ::1 --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
    tok=$(lt_token v6)
    lt_session v6 10 "$tok\n" "$tok" "${S_CLIENT[@]}" -connect "[::1]:$(lt_port v6)"
    lt_expect_rc "IPv6: s_client to [::1] (server --host ::1)" 0
    lt_expect_contains "IPv6: echo" "$LAST_OUT" "$tok"
    lt_session v6-ours 10 "$tok\n" "$tok" "$LUCIDTLS" client "[::1]:$(lt_port v6)" --cafile "$CA" --servername localhost \
        --tls1_2
    lt_expect_rc "IPv6: lucidtls client [::1]:PORT" 0
    lt_expect_file_eq "IPv6: lucidtls client gets the echo" "$LAST_OUT" "$tok"$'\n'
    lt_stop_server v6
else
    lt_log "SKIP: IPv6 loopback (::1) not configured here"
fi

# ------------------------------------------------------------ SSLKEYLOGFILE on the server
rm -f "$WORK/srv-keylog-ours.txt" "$WORK/srv-keylog-theirs.txt"
export SSLKEYLOGFILE=$WORK/srv-keylog-ours.txt
lt_start_lucidtls_server keylog --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
unset SSLKEYLOGFILE
tok=$(lt_token keylog)
lt_session keylog 10 "$tok\n" "$tok" "${S_CLIENT[@]}" -connect "127.0.0.1:$(lt_port keylog)" \
    -cipher AES128-SHA -keylogfile "$WORK/srv-keylog-theirs.txt"
lt_expect_rc "server with SSLKEYLOGFILE: handshake" 0
sleep 0.2
theirs=$(grep '^CLIENT_RANDOM ' "$WORK/srv-keylog-theirs.txt" 2>/dev/null | tr 'A-F' 'a-f')
ours=$(grep '^CLIENT_RANDOM ' "$WORK/srv-keylog-ours.txt" 2>/dev/null | tr 'A-F' 'a-f')
if [ -n "$theirs" ]; then
    lt_expect_eq "server SSLKEYLOGFILE: CLIENT_RANDOM line equals s_client's" "$theirs" "$ours"
else
    lt_fail "server SSLKEYLOGFILE: CLIENT_RANDOM line equals s_client's" "a CLIENT_RANDOM line from s_client" "none"
fi
lt_stop_server keylog

# ------------------------------------------------------------ --explain keeps secrets hidden
lt_start_lucidtls_server explain --cert "$PKI/chain.pem" --key "$PKI/server.key" --explain || lt_finish
tok=$(lt_token explain)
rm -f "$WORK/keylog.txt"
lt_session explain 10 "$tok\n" "$tok" "${S_CLIENT[@]}" -connect "127.0.0.1:$(lt_port explain)" \
    -cipher AES128-SHA256 -keylogfile "$WORK/keylog.txt"
lt_expect_rc "--explain server: handshake" 0
lt_expect_contains "--explain server: echo" "$LAST_OUT" "$tok"
sleep 0.3
cat "$(lt_server_out explain)" "$(lt_server_err explain)" >"$WORK/explain-all.txt"
lt_expect_contains "--explain narrates the ClientHello" "$WORK/explain-all.txt" "ClientHello"
lt_expect_match "--explain narrates the master secret step" "$WORK/explain-all.txt" 'master.secret'
ms=$(awk '$1 == "CLIENT_RANDOM" { print $3 }' "$WORK/keylog.txt" 2>/dev/null | tail -n 1)
pms=$(awk '$1 == "RSA" { print $3 }' "$WORK/keylog.txt" 2>/dev/null | tail -n 1)
lt_expect_secret_hidden "--explain without --show-secrets hides the master secret" "$WORK/explain-all.txt" "$ms"
lt_expect_secret_hidden "--explain without --show-secrets hides the pre-master secret" "$WORK/explain-all.txt" "$pms"

lt_finish
