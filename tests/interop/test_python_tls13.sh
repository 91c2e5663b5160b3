#!/usr/bin/env bash
# Python's ssl module (OpenSSL underneath) against lucidtls in TLS 1.3, both
# ways, with Python's default contexts as applications use them
# (py_peer.py): ssl.create_default_context() against our server with an
# RSA, an ECDSA and both identities; our client against a server made with
# create_default_context(Purpose.CLIENT_AUTH) + load_cert_chain. Data both
# ways and close_notify each time. Then session resumption (RFC 8446 2.2)
# both ways: Python's SSLSocket.session from a first connection passed to
# wrap_socket(..., session=...) must give session_reused True against our
# server, and our --sess-out/--sess-in against a Python server serving two
# connections from one context; a HelloRetryRequest (4.1.4) for Python's
# client; and KeyUpdate (4.6.3) both ways. TLS 1.2 with Python: test_python.sh.
#
# usage: test_python_tls13.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli
PEER="$(cd "$(dirname "$0")" && pwd)/py_peer.py"
CA=$PKI/ca.pem
lt_log "== $(python3 -c 'import ssl, sys; print("Python", sys.version.split()[0], "with", ssl.OPENSSL_VERSION)')"

# ------------------------------------------------------------ Python client -> lucidtls server
lt_start_lucidtls_server RSA --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
lt_start_lucidtls_server ECDSA --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
lt_start_lucidtls_server BOTH --cert "$PKI/chain.pem" --key "$PKI/server.key" \
    --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
# Python's client sends one key share, X25519: our server --groups P-384 asks
# for another (HelloRetryRequest), and narrates it (--explain).
lt_start_lucidtls_server HRR --groups P-384 --explain --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
lt_start_lucidtls_server KU --key-update --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish

for srv in RSA ECDSA BOTH HRR KU; do
    tok=$(lt_token "py13-$srv")
    lt_run "pyc-$srv" 20 - python3 "$PEER" client-default "$(lt_port "$srv")" "$CA" "$tok"
    lt_expect_rc "Python's default client context vs our $srv server: handshake, echo, close_notify" 0
    # Our first TLS 1.3 suite; Python (OpenSSL) offers all three.
    lt_expect_contains "Python client vs our $srv server: TLS 1.3, TLS_AES_128_GCM_SHA256" "$LAST_OUT" \
        "negotiated TLSv1.3 TLS_AES_128_GCM_SHA256"
    lt_expect_contains "Python client vs our $srv server: line echoed back" "$LAST_OUT" "received $tok"
done
lt_expect_contains "HRR: our server asked Python for a P-384 key share (HelloRetryRequest)" \
    "$(lt_server_err HRR)" "(HelloRetryRequest)"
lt_expect_match "HRR: our server used secp384r1" "$(lt_server_err HRR)" "Group for the \(EC\)DHE key exchange.*secp384r1"

# Resumption: the second connection offers the first one's session.
tok=$(lt_token py13-resume)
lt_run pyc-resume 20 - python3 "$PEER" client-resume "$(lt_port RSA)" "$CA" "$tok"
lt_expect_rc "Python client, two connections, the second with session=: exit 0" 0
lt_expect_eq "both connections TLS 1.3" 2 "$(grep -c '^negotiated TLSv1\.3 ' "$LAST_OUT")"
lt_expect_contains "first connection: echoed" "$LAST_OUT" "received $tok-1"
lt_expect_contains "first connection: a fresh session" "$LAST_OUT" "session_reused False"
lt_expect_contains "first connection's session holds our ticket" "$LAST_OUT" "has_ticket True"
lt_expect_contains "second connection: echoed" "$LAST_OUT" "received $tok-2"
lt_expect_eq "second connection: session_reused True, the first False" "False True" \
    "$(awk '/^session_reused / { printf "%s%s", sep, $2; sep = " " }' "$LAST_OUT")"

for srv in RSA ECDSA BOTH HRR KU; do
    lt_expect_alive "our $srv server still serving after the Python clients" "$srv"
    lt_expect_not_contains "our $srv server: no failed handshake or connection" "$(lt_server_err "$srv")" "failed"
done
for srv in RSA ECDSA BOTH HRR KU; do
    lt_stop_server "$srv"
done

# ------------------------------------------------------------ lucidtls client -> Python server
# pys NAME IDENT [CLIENT_ARGS...] — a Python default-context server, one connection.
pys() {
    local name=$1 ident=$2 tok what
    shift 2
    what="${*:-(no options)}"
    lt_start_server "$name" python3 "$PEER" server-default @PORT@ "$(lt_chain_of "$ident")" "$(lt_key_of "$ident")" \
        || return 1
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$tok" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "$name")" --cafile "$CA" --servername localhost "$@"
    lt_expect_rc "lucidtls client $what vs Python's default server context ($ident): exits 0" 0
    lt_expect_file_eq "Python server ($ident), our client $what: stdout is exactly the echoed line" "$LAST_OUT" "$tok"$'\n'
    lt_wait_exit "$name"
    PYS_ALL=$(lt_server_all "$name")
    lt_expect_contains "Python server ($ident), our client $what: received our line" "$PYS_ALL" "received $tok"
    lt_expect_not_contains "Python server ($ident), our client $what: no ssl error" "$PYS_ALL" "ssl error"
}
for ident in RSA ECDSA P384; do
    pys "pys-$ident" "$ident" || continue
    # OpenSSL's server picks by its own order: AES-256-GCM first.
    lt_expect_match "Python server ($ident): TLS 1.3" "$PYS_ALL" \
        '^negotiated TLSv1\.3 TLS_(AES_(128_GCM_SHA256|256_GCM_SHA384)|CHACHA20_POLY1305_SHA256)$'
done
# Our key share for P-384 first (--groups), taken as it is.
pys pys-p384 RSA --groups P-384:x25519 && lt_expect_match "Python server, our --groups P-384: TLS 1.3" "$PYS_ALL" \
    '^negotiated TLSv1\.3 '
# KeyUpdate: our client updates its keys after the handshake and asks Python
# to; Python's answer (its own KeyUpdate, 4.6.3) comes ahead of the echo.
if pys pys-ku RSA --key-update --explain; then
    lt_expect_match "Python server, our --key-update: TLS 1.3" "$PYS_ALL" '^negotiated TLSv1\.3 '
    lt_expect_match "KeyUpdate: we sent ours" "$LAST_ERR" 'Bob -> Alice +KeyUpdate'
    lt_expect_match "KeyUpdate: Python answered with its own" "$LAST_ERR" 'Alice -> Bob +KeyUpdate'
fi

# Resumption: one Python server context, two connections.
lt_start_server pys-resume python3 "$PEER" server-default @PORT@ "$PKI/chain.pem" "$PKI/server.key" 2 || lt_finish
SESS=$WORK/python.sess
for step in full resumed; do
    tok=$(lt_token "pys-$step")
    if [ "$step" = full ]; then
        args=(--sess-out "$SESS")
    else
        args=(--sess-in "$SESS")
    fi
    lt_session "pys-$step" 10 "$tok\n" "$tok" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port pys-resume)" --cafile "$CA" --servername localhost "${args[@]}"
    lt_expect_rc "our client ${args[0]} vs the Python server: exits 0" 0
    lt_expect_file_eq "our client ${args[0]}: stdout is exactly the echoed line" "$LAST_OUT" "$tok"$'\n'
done
lt_expect_contains "--sess-in: our client says the session was resumed" "$LAST_ERR" "lucidtls: session resumed"
lt_wait_exit pys-resume
sall=$(lt_server_all pys-resume)
lt_expect_eq "Python server: the first connection fresh, the second resumed" "False True" \
    "$(awk '/^session_reused / { printf "%s%s", sep, $2; sep = " " }' "$sall")"
lt_expect_eq "Python server: both connections TLS 1.3" 2 "$(grep -c '^negotiated TLSv1\.3 ' "$sall")"

lt_finish
