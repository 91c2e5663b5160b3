#!/usr/bin/env bash
# The key log, proven with Wireshark's engine: tshark captures lucidtls
# connections on loopback and decrypts them with the SSLKEYLOGFILE lucidtls
# wrote (and nothing else: the peers write no key log), and the HTTP request
# and response inside must be visible.
#
# Three handshakes in each role:
#   - TLS 1.2 with RSA key transport (TLS_RSA_WITH_AES_128_GCM_SHA256),
#   - TLS 1.2 with ECDHE (x25519, AES-GCM),
#   - TLS 1.3;
# `lucidtls client` sends a GET to `openssl s_server -www`, and
# `openssl s_client` sends one to `lucidtls server --www`. Each request has
# its own path; tshark must show each path, the 200 answering it, and the
# suite and version the stream's ServerHello chose. The control: the same
# capture read without the key log shows no HTTP at all.
#
# Needs tshark (scripts/install_deps.sh) and the right to capture on lo
# (root, as in CI): without either the test fails, it does not skip.
#
# usage: test_tshark.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

if ! command -v tshark >/dev/null 2>&1; then
    lt_fail "tshark is installed" "tshark on PATH (scripts/install_deps.sh installs it)" "not found"
    lt_finish
fi
CA=$PKI/ca.pem
KEYLOG=$WORK/keylog.txt
CAP=$WORK/capture.pcapng

# ---------------------------------------------------------------- the peers
# One s_server -www for our client (it serves each connection in turn) and
# one lucidtls server --www for s_client; both speak TLS 1.2 and 1.3.
lt_start_openssl_server ossl -www -cert "$PKI/chain.pem" -key "$PKI/server.key" || lt_finish
SSLKEYLOGFILE=$KEYLOG lt_start_lucidtls_server ours --www --cert "$PKI/chain.pem" --key "$PKI/server.key" ||
    lt_finish
P_OSSL=$(lt_port ossl)
P_OURS=$(lt_port ours)

# ---------------------------------------------------------------- capture
setsid tshark -i lo -f "tcp port $P_OSSL or tcp port $P_OURS" -w "$CAP" >"$WORK/tshark.out" 2>"$WORK/tshark.err" &
TSHARK=$!
lt_adopt "$TSHARK" "tshark capture" "tshark -i lo -w $CAP"
if lt_wait_for "$WORK/tshark.err" "Capturing on" 30; then
    lt_pass "tshark captures on lo"
else
    lt_fail "tshark captures on lo" "'Capturing on' on its stderr within 30 s (root or CAP_NET_RAW needed)" \
        "$(lt_excerpt "$WORK/tshark.err" 5)"
    lt_finish
fi
# dumpcap says "Capturing" as it opens the device; give the filter a moment.
sleep 1

# case NAME VERSION SUITE ARGS: the request path of a case is /tshark-NAME.
declare -A WANT_SUITE=() WANT_VERSION=()

# client_case NAME SUITE_HEX VERSION_HEX LUCIDTLS_CLIENT_ARGS...
client_case() {
    local name=$1
    WANT_SUITE[$name]=$2
    WANT_VERSION[$name]=$3
    shift 3
    SSLKEYLOGFILE=$KEYLOG lt_session "client-$name" 15 "GET /tshark-$name HTTP/1.0\r\nHost: localhost\r\n\r\n" \
        "</HTML>" "$LUCIDTLS" client "127.0.0.1:$P_OSSL" --cafile "$CA" --servername localhost "$@"
    lt_expect_rc "[client $name] lucidtls client against s_server -www exits 0" 0
    lt_expect_contains "[client $name] s_server answered 200" "$LAST_OUT" "HTTP/1.0 200"
}

# server_case NAME SUITE_HEX VERSION_HEX S_CLIENT_ARGS...
server_case() {
    local name=$1
    WANT_SUITE[$name]=$2
    WANT_VERSION[$name]=$3
    shift 3
    lt_session "server-$name" 15 "GET /tshark-$name HTTP/1.0\r\nHost: localhost\r\n\r\n" "HTTP/1.0 200" \
        openssl s_client -connect "127.0.0.1:$P_OURS" -servername localhost -CAfile "$CA" -verify_return_error \
        -ign_eof "$@"
    lt_expect_contains "[server $name] lucidtls server --www answered 200 to s_client" "$LAST_OUT" "HTTP/1.0 200"
}

client_case rsa-kx 0x009c 0x0303 --tls1_2 --ciphers TLS_RSA_WITH_AES_128_GCM_SHA256
client_case ecdhe 0xc02f 0x0303 --tls1_2 --ciphers TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
client_case tls13 0x1301 0x0304 --tls1_3
server_case rsa-kx 0x009c 0x0303 -tls1_2 -cipher AES128-GCM-SHA256
server_case ecdhe 0xc02f 0x0303 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
server_case tls13 0x1301 0x0304 -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256

# Let the last packets reach the file, then stop the capture (SIGINT: tshark
# closes the file cleanly).
sleep 1
kill -INT -- "-$TSHARK" 2>/dev/null
lt_reap "$TSHARK"
lt_stop_server ours
lt_stop_server ossl

if [ -s "$CAP" ]; then
    lt_pass "the capture was written ($(stat -c %s "$CAP") bytes)"
else
    lt_fail "the capture was written" "a non-empty $CAP" "$(lt_excerpt "$WORK/tshark.err" 5)"
    lt_finish
fi
if [ -s "$KEYLOG" ]; then
    lt_pass "lucidtls wrote a key log ($(wc -l <"$KEYLOG") lines)"
else
    lt_fail "lucidtls wrote a key log" "lines in $KEYLOG" "none"
    lt_finish
fi

DECODE=(-d "tcp.port==$P_OSSL,tls" -d "tcp.port==$P_OURS,tls")
# tshark NAME ARGS...: its output in $WORK/NAME.txt.
read_capture() {
    local name=$1
    shift
    tshark -r "$CAP" "${DECODE[@]}" "$@" >"$WORK/$name.txt" 2>"$WORK/$name.err"
}

# The control first: without the key log nothing inside the records is HTTP.
read_capture plain -Y http -T fields -e http.request.uri
if grep -q tshark- "$WORK/plain.txt"; then
    lt_fail "without the key log tshark sees no HTTP (the check below can fail)" "no request paths" \
        "$(head -3 "$WORK/plain.txt")"
else
    lt_pass "without the key log tshark sees no HTTP (the check below can fail)"
fi

# With it: each stream's request and response, and what its ServerHello chose.
read_capture requests -o "tls.keylog_file:$KEYLOG" -Y http.request -T fields -e tcp.stream -e tcp.dstport \
    -e http.request.uri
# (An HTTP/1.0 answer has no length: it ends with the connection, so tshark
# is told not to wait to reassemble its body.)
read_capture responses -o "tls.keylog_file:$KEYLOG" -o http.desegment_body:FALSE -Y http.response -T fields \
    -e tcp.stream -e http.response.code -e http.response_for.uri
read_capture hellos -o "tls.keylog_file:$KEYLOG" -Y "tls.handshake.type == 2" -T fields -e tcp.stream \
    -e tls.handshake.ciphersuite -e tls.handshake.extensions.supported_version

for role in client server; do
    for name in rsa-kx ecdhe tls13; do
        what="[$role $name]"
        if [ "$role" = client ]; then port=$P_OSSL; else port=$P_OURS; fi
        # Two streams carry /tshark-NAME (one per role): this role's goes to $port.
        stream=$(awk -v p="/tshark-$name" -v port="$port" '$2 == port && $3 == p { print $1; exit }' \
            "$WORK/requests.txt")
        if [ -z "$stream" ]; then
            lt_fail "$what tshark decrypts the request GET /tshark-$name" "a stream on port $port with that path" \
                "requests seen (stream port path): $(tr '\n' ' ' <"$WORK/requests.txt")"
            continue
        fi
        lt_pass "$what tshark decrypts the request GET /tshark-$name (stream $stream)"
        response=$(awk -v s="$stream" '$1 == s { print $2, $3; exit }' "$WORK/responses.txt")
        lt_expect_eq "$what tshark decrypts the response: 200, for the request's path" \
            "200 https://localhost/tshark-$name" "$response"
        read -r _ suite version <<<"$(awk -v s="$stream" '$1 == s' "$WORK/hellos.txt" | head -1)"
        lt_expect_eq "$what the stream's suite is ${WANT_SUITE[$name]}" "${WANT_SUITE[$name]}" "$suite"
        if [ "${WANT_VERSION[$name]}" = 0x0304 ]; then
            lt_expect_eq "$what the stream is TLS 1.3 (supported_versions)" 0x0304 "$version"
        else
            lt_expect_eq "$what the stream is TLS 1.2 (no supported_versions)" "" "$version"
        fi
    done
done

lt_finish
