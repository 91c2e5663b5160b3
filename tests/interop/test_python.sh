#!/usr/bin/env bash
# Python's ssl module (OpenSSL underneath, driven the way applications drive
# it) against lucidtls, both ways, for each of the six RSA key transport
# suites (asked for by name: Python's default list has none of them): data
# both ways and the suite Python reports. Then Python's *default* contexts,
# as applications use them, both ways: the client's
# (ssl.create_default_context(), TLS 1.3-capable, forward secrecy only)
# against our server with an RSA, an ECDSA and both identities; our client
# against a server made with create_default_context(Purpose.CLIENT_AUTH) and
# load_cert_chain, with an RSA and with an ECDSA certificate. Each must settle
# on TLS 1.2 with an ECDHE suite of the certificate's kind: our side is held
# to TLS 1.2 (--tls1_2) for these, Python's context is left as it is (TLS 1.3
# with Python: test_python_tls13.sh).
#
# usage: test_python.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli
PEER="$(cd "$(dirname "$0")" && pwd)/py_peer.py"
CA=$PKI/ca.pem
lt_log "== $(python3 -c 'import ssl, sys; print("Python", sys.version.split()[0], "with", ssl.OPENSSL_VERSION)')"

# ------------------------------------------------------------ Python client -> lucidtls server
lt_start_lucidtls_server echo --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
PORT=$(lt_port echo)
while read -r iana ossl; do
    tok=$(lt_token "py-$ossl")
    lt_run "pyc-$ossl" 20 - python3 "$PEER" client "$PORT" "$CA" "$ossl" "$tok"
    lt_expect_rc "[$iana] Python client: handshake, echo, close_notify" 0
    lt_expect_contains "[$iana] Python client: TLS 1.2 with the suite" "$LAST_OUT" "negotiated TLSv1.2 $ossl"
    lt_expect_contains "[$iana] Python client: line echoed back" "$LAST_OUT" "received $tok"
done <<<"$LT_SUITES"

# The RSA suite clients above cap Python at TLS 1.2 against our default
# server (TLS 1.3 preferred): it must step down to 1.2 for them.
lt_expect_not_contains "default server: no failed handshake with the 1.2-capped Python clients" \
    "$(lt_server_err echo)" "handshake failed"

# Python's default client context: ECDHE, and the server's first choice of
# what it offers (AES-128-GCM before AES-256 and ChaCha20), from our server
# held to TLS 1.2.
lt_start_lucidtls_server echo12 --tls1_2 --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
tok=$(lt_token py-default)
lt_run pyc-default 20 - python3 "$PEER" client-default "$(lt_port echo12)" "$CA" "$tok"
lt_expect_rc "Python's default client context vs our RSA server: handshake, echo, close_notify" 0
lt_expect_contains "Python's default client context vs RSA: TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256" "$LAST_OUT" \
    "negotiated TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256"
lt_expect_contains "Python's default client context vs RSA: line echoed back" "$LAST_OUT" "received $tok"
lt_expect_alive "server still serving after Python clients" echo
lt_stop_server echo12

# A Python client that never calls unwrap() closes the TCP connection without
# close_notify after its exchange: the server notes that, it is no failure.
tok=$(lt_token py-noclose)
lt_run pyc-noclose 20 - python3 "$PEER" client-noclose "$PORT" "$CA" AES128-GCM-SHA256 "$tok"
lt_expect_rc "Python client without unwrap(): echo, then a bare close" 0
lt_expect_contains "Python client without unwrap(): line echoed back" "$LAST_OUT" "received $tok"
lt_wait_for "$(lt_server_err echo)" "after a complete exchange" 5
lt_expect_contains "server logs a note for a close without close_notify after the exchange" \
    "$(lt_server_err echo)" "note: closed without close_notify after a complete exchange"
lt_expect_not_contains "server logs no truncation failure for any Python client" "$(lt_server_err echo)" \
    "LT_ERR_TRUNCATED"

for ident in ECDSA BOTH; do
    if [ "$ident" = ECDSA ]; then
        lt_start_lucidtls_server "echo-$ident" --tls1_2 --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || continue
    else
        lt_start_lucidtls_server "echo-$ident" --tls1_2 --cert "$PKI/chain.pem" --key "$PKI/server.key" \
            --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || continue
    fi
    tok=$(lt_token "py-default-$ident")
    lt_run "pyc-default-$ident" 20 - python3 "$PEER" client-default "$(lt_port "echo-$ident")" "$CA" "$tok"
    lt_expect_rc "Python's default client context vs our $ident server: handshake, echo, close_notify" 0
    lt_expect_contains "Python's default client context vs $ident: TLS 1.2, ECDHE-ECDSA-AES128-GCM-SHA256" "$LAST_OUT" \
        "negotiated TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256"
    lt_expect_contains "Python's default client context vs $ident: line echoed back" "$LAST_OUT" "received $tok"
    lt_stop_server "echo-$ident"
done

# ------------------------------------------------------------ lucidtls client -> Python server
while read -r iana ossl; do
    lt_start_server "pys-$ossl" python3 "$PEER" server @PORT@ "$PKI/chain.pem" "$PKI/server.key" "$ossl" || continue
    tok=$(lt_token "pys-$ossl")
    lt_session "pys-$ossl" 10 "$tok\n" "$tok" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "pys-$ossl")" --cafile "$CA" --servername localhost
    lt_expect_rc "[$iana] lucidtls client vs Python server exits 0" 0
    lt_expect_file_eq "[$iana] stdout is exactly the echoed line" "$LAST_OUT" "$tok"$'\n'
    lt_wait_exit "pys-$ossl"
    sall=$(lt_server_all "pys-$ossl")
    lt_expect_contains "[$iana] Python server: TLS 1.2 with the suite" "$sall" "negotiated TLSv1.2 $ossl"
    lt_expect_contains "[$iana] Python server received our line" "$sall" "received $tok"
    lt_stop_server "pys-$ossl"
done <<<"$LT_SUITES"

# Python's default server context (TLS 1.3-capable; we offer 1.2 only: --tls1_2).
for ident in RSA ECDSA; do
    lt_start_server "pys-default-$ident" python3 "$PEER" server-default @PORT@ "$(lt_chain_of "$ident")" \
        "$(lt_key_of "$ident")" || continue
    tok=$(lt_token "pys-default-$ident")
    lt_session "pys-default-$ident" 10 "$tok\n" "$tok" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "pys-default-$ident")" --cafile "$CA" --servername localhost --tls1_2
    lt_expect_rc "lucidtls client vs Python's default server context ($ident): exits 0" 0
    lt_expect_file_eq "default server context ($ident): stdout is exactly the echoed line" "$LAST_OUT" "$tok"$'\n'
    lt_wait_exit "pys-default-$ident"
    sall=$(lt_server_all "pys-default-$ident")
    lt_expect_match "default server context ($ident): TLS 1.2 with an ECDHE-$ident AEAD suite" "$sall" \
        "^negotiated TLSv1\.2 ECDHE-$ident-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)\$"
    lt_expect_contains "default server context ($ident): Python received our line" "$sall" "received $tok"
    lt_stop_server "pys-default-$ident"
done

lt_finish
