#!/usr/bin/env bash
# `lucidtls client` against openssl s_server, over loopback.
#
# RFC 5246 interop, lucidtls as the client: every suite, data both ways
# (s_server -rev sends each line back reversed), what the client offers as
# OpenSSL sees it (SNI, EMS, renegotiation_info), --capath, no SNI for an IP
# address, s_server -www, a request piped in (stdin EOF before the reply), and
# --explain / --show-secrets against OpenSSL's own key log.
#
# usage: test_openssl_server.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem
S_SERVER=(-tls1_2 -cert "$PKI/chain.pem" -key "$PKI/server.key" -naccept 1)
# -servername + -cert2 make s_server report the SNI it received.
SNI_ARGS=(-servername localhost -cert2 "$PKI/chain.pem" -key2 "$PKI/server.key")

# ------------------------------------------------------------ each suite, -rev
while read -r iana ossl; do
    lt_start_openssl_server "rev-$ossl" "${S_SERVER[@]}" "${SNI_ARGS[@]}" -cipher "$ossl" -rev -tlsextdebug || continue
    port=$(lt_port "rev-$ossl")
    tok=$(lt_token "$ossl")
    rtok=$(lt_reverse "$tok")
    lt_session "cl-$ossl" 10 "$tok\n" "$rtok" \
        "$LUCIDTLS" client "127.0.0.1:$port" --cafile "$CA" --servername localhost
    lt_expect_rc "[$iana] lucidtls client exits 0" 0
    lt_expect_file_eq "[$iana] stdout is exactly the reversed line (data both ways)" "$LAST_OUT" "$rtok"$'\n'
    lt_wait_exit "rev-$ossl"
    sout=$(lt_server_all "rev-$ossl")
    lt_expect_contains "[$iana] s_server: protocol TLSv1.2" "$sout" "Protocol version: TLSv1.2"
    lt_expect_contains "[$iana] s_server: suite $ossl" "$sout" "Ciphersuite: $ossl"
    lt_expect_contains "[$iana] s_server: SNI 'localhost' received" "$sout" 'Hostname in TLS extension: "localhost"'
    lt_expect_contains "[$iana] client offers extended_master_secret (RFC 7627)" "$sout" '"extended master secret" (id=23)'
    lt_expect_match "[$iana] client signals secure renegotiation (RFC 5746)" "$sout" \
        '"renegotiation info" \(id=65281\)|TLS_EMPTY_RENEGOTIATION_INFO_SCSV'
    lt_expect_contains "[$iana] s_server saw a clean close" "$sout" "CONNECTION CLOSED"
done <<<"$LT_SUITES"

# ------------------------------------------------------------ IANA name in --ciphers, --capath
lt_start_openssl_server capath "${S_SERVER[@]}" -rev || lt_finish
tok=$(lt_token capath)
lt_session capath 10 "$tok\n" "$(lt_reverse "$tok")" "$LUCIDTLS" client "127.0.0.1:$(lt_port capath)" \
    --capath "$PKI/capath" --servername localhost --ciphers TLS_RSA_WITH_AES_256_CBC_SHA256
lt_expect_rc "--capath DIR (hashed directory) and --ciphers with an IANA name" 0
lt_expect_contains "--capath: data both ways" "$LAST_OUT" "$(lt_reverse "$tok")"
lt_wait_exit capath
lt_expect_contains "--ciphers TLS_RSA_WITH_AES_256_CBC_SHA256 is what was used" "$(lt_server_all capath)" "Ciphersuite: AES256-SHA256"

# ------------------------------------------------------------ an IP address: IP SAN check, no SNI
lt_start_openssl_server ip "${S_SERVER[@]}" -rev -tlsextdebug || lt_finish
tok=$(lt_token ip)
lt_session ip 10 "$tok\n" "$(lt_reverse "$tok")" "$LUCIDTLS" client "127.0.0.1:$(lt_port ip)" --cafile "$CA"
lt_expect_rc "no --servername: 127.0.0.1 verified against the IP SAN" 0
lt_expect_contains "no --servername: data both ways" "$LAST_OUT" "$(lt_reverse "$tok")"
lt_wait_exit ip
lt_expect_not_contains "no SNI for an IP literal (RFC 6066 3)" "$(lt_server_all ip)" '"server name" (id=0)'

# ------------------------------------------------------------ s_server -www
# shellcheck disable=SC2317  # called through lt_run
www_req() { printf 'GET / HTTP/1.0\r\n\r\n'; }
lt_start_openssl_server www "${S_SERVER[@]}" -www -cipher AES128-GCM-SHA256 || lt_finish
lt_session www 10 'GET / HTTP/1.0\r\n\r\n' '</HTML>' \
    "$LUCIDTLS" client "127.0.0.1:$(lt_port www)" --cafile "$CA" --servername localhost
lt_expect_rc "s_server -www: lucidtls client exits 0" 0
lt_expect_contains "s_server -www: status line" "$LAST_OUT" "HTTP/1.0 200 ok"
lt_expect_contains "s_server -www: the page names the suite" "$LAST_OUT" "Cipher is AES128-GCM-SHA256"
lt_expect_contains "s_server -www: the whole page arrived" "$LAST_OUT" "</BODY></HTML>"
lt_wait_exit www

# The request piped in: stdin ends before the reply comes. The client must
# keep reading until the server closes (like curl, unlike s_client without
# -ign_eof), or `printf 'GET ...' | lucidtls client` would print nothing.
lt_start_openssl_server www-pipe "${S_SERVER[@]}" -www || lt_finish
lt_run www-pipe 10 www_req "$LUCIDTLS" client "127.0.0.1:$(lt_port www-pipe)" --cafile "$CA" --servername localhost
lt_expect_rc "piped request: lucidtls client exits 0" 0
lt_expect_contains "piped request: the whole reply arrived after stdin EOF" "$LAST_OUT" "</BODY></HTML>"
lt_wait_exit www-pipe

# ------------------------------------------------------------ SSLKEYLOGFILE (NSS key log, for Wireshark)
rm -f "$WORK/keylog-theirs.txt" "$WORK/keylog-ours.txt"
lt_start_openssl_server keylog "${S_SERVER[@]}" -rev -cipher AES256-GCM-SHA384 -keylogfile "$WORK/keylog-theirs.txt" || lt_finish
tok=$(lt_token keylog)
lt_session keylog 10 "$tok\n" "$(lt_reverse "$tok")" env SSLKEYLOGFILE="$WORK/keylog-ours.txt" \
    "$LUCIDTLS" client "127.0.0.1:$(lt_port keylog)" --cafile "$CA" --servername localhost
lt_expect_rc "SSLKEYLOGFILE set: client exits 0" 0
lt_wait_exit keylog
theirs=$(grep '^CLIENT_RANDOM ' "$WORK/keylog-theirs.txt" 2>/dev/null | tr 'A-F' 'a-f')
ours=$(grep '^CLIENT_RANDOM ' "$WORK/keylog-ours.txt" 2>/dev/null | tr 'A-F' 'a-f')
if [ -n "$theirs" ]; then
    lt_expect_eq "SSLKEYLOGFILE: our CLIENT_RANDOM line equals OpenSSL's" "$theirs" "$ours"
else
    lt_fail "SSLKEYLOGFILE: our CLIENT_RANDOM line equals OpenSSL's" "a CLIENT_RANDOM line from s_server" "none"
fi

# ------------------------------------------------------------ an optional client certificate request
# s_server -verify 1 sends a CertificateRequest but does not insist. RFC 5246
# 7.4.6: a client with no certificate sends an empty Certificate message and
# the handshake goes on.
lt_start_openssl_server certreq "${S_SERVER[@]}" -rev -verify 1 -CAfile "$CA" || lt_finish
tok=$(lt_token certreq)
lt_session certreq 10 "$tok\n" "$(lt_reverse "$tok")" \
    "$LUCIDTLS" client "127.0.0.1:$(lt_port certreq)" --cafile "$CA" --servername localhost
lt_expect_rc "s_server -verify 1 (optional client certificate): client exits 0" 0
lt_expect_contains "optional client certificate: data both ways" "$LAST_OUT" "$(lt_reverse "$tok")"
lt_wait_exit certreq

# ------------------------------------------------------------ interactive s_server; renegotiation refused
# s_server in its default mode: what it reads on stdin goes to the client, what
# it receives goes to its stdout. Data both ways, then s_server asks for a
# renegotiation ("R" on its stdin: HelloRequest). RFC 5746 4.5 / RFC 5246
# 7.2.2: lucidtls refuses with a warning no_renegotiation alert. (OpenSSL 3.0
# then ends the connection with handshake_failure; that is its choice.)
rm -f "$WORK/reneg.ssin" "$WORK/reneg.clin"
mkfifo "$WORK/reneg.ssin" "$WORK/reneg.clin"
exec {SSIN}<>"$WORK/reneg.ssin"
LT_SERVER_STDIN=$WORK/reneg.ssin lt_start_openssl_server reneg "${S_SERVER[@]}" -msg || lt_finish
lt_new_files reneg-client
LAST_CMD="$LUCIDTLS client 127.0.0.1:$(lt_port reneg) --cafile $CA --servername localhost"
timeout -k 2 20 "$LUCIDTLS" client "127.0.0.1:$(lt_port reneg)" --cafile "$CA" --servername localhost \
    <"$WORK/reneg.clin" >"$LAST_OUT" 2>"$LAST_ERR" &
RPID=$!
LT_PIDS+=("$RPID")
exec {CLIN}>"$WORK/reneg.clin"
c2s=$(lt_token c2s) s2c=$(lt_token s2c)
sout=$(lt_server_out reneg)
printf '%s\n' "$c2s" >&"$CLIN"
if lt_wait_for "$sout" "$c2s" 10; then
    lt_pass "interactive s_server: a line from lucidtls client arrives"
else
    lt_fail "interactive s_server: a line from lucidtls client arrives" "'$c2s' in s_server's output" "$(lt_excerpt "$sout" 4)"
fi
printf '%s\n' "$s2c" >&"$SSIN"
if lt_wait_for "$LAST_OUT" "$s2c" 10; then
    lt_pass "interactive s_server: a line from s_server arrives on lucidtls client's stdout"
else
    lt_fail "interactive s_server: a line from s_server arrives" "'$s2c' on the client's stdout" "$(lt_excerpt "$LAST_OUT" 4)"
fi
printf 'R\n' >&"$SSIN"
lt_wait_for "$sout" "no_renegotiation" 5
lt_expect_match "server-initiated renegotiation: client answers HelloRequest with warning no_renegotiation" \
    "$sout" 'Alert \[length 0002\], warning no_renegotiation'
exec {CLIN}>&-
lt_reap "$RPID"
exec {SSIN}>&-
lt_stop_server reneg

# ------------------------------------------------------------ --explain and --show-secrets
for mode in hidden shown; do
    extra=()
    [ "$mode" = shown ] && extra=(--show-secrets)
    rm -f "$WORK/keylog-$mode.txt"
    lt_start_openssl_server "explain-$mode" "${S_SERVER[@]}" -rev -cipher AES128-SHA256 \
        -keylogfile "$WORK/keylog-$mode.txt" || continue
    tok=$(lt_token "$mode")
    lt_session "explain-$mode" 10 "$tok\n" "$(lt_reverse "$tok")" "$LUCIDTLS" client \
        "127.0.0.1:$(lt_port "explain-$mode")" --cafile "$CA" --servername localhost --explain "${extra[@]}"
    lt_expect_rc "--explain ${extra[*]}: exits 0" 0
    lt_expect_contains "--explain ${extra[*]}: data both ways" "$LAST_OUT" "$(lt_reverse "$tok")"
    lt_wait_exit "explain-$mode"
    lt_expect_contains "--explain ${extra[*]}: narrates the ClientHello" "$LAST_ALL" "ClientHello"
    lt_expect_contains "--explain ${extra[*]}: narrates the ServerHello" "$LAST_ALL" "ServerHello"
    lt_expect_contains "--explain ${extra[*]}: narrates the Finished" "$LAST_ALL" "Finished"
    ms=$(awk '$1 == "CLIENT_RANDOM" { print $3 }' "$WORK/keylog-$mode.txt" 2>/dev/null | tail -n 1)
    if [ "$mode" = hidden ]; then
        lt_expect_secret_hidden "--explain alone never prints the master secret" "$LAST_ALL" "$ms"
    else
        lt_expect_secret_shown "--explain --show-secrets prints the master secret OpenSSL logged" "$LAST_ALL" "$ms"
    fi
done

lt_finish
