#!/usr/bin/env bash
# Node's tls module (OpenSSL underneath, Node's own defaults, nothing tuned:
# node_peer.js) against lucidtls in TLS 1.3, both ways: tls.connect against
# our server with an RSA, an ECDSA and both identities, and our client
# against a tls.createServer with an RSA, an ECDSA P-256 and a P-384
# certificate: TLS 1.3, data both ways, a clean close. Then session
# resumption (RFC 8446 2.2) both ways: the ticket Node's 'session' event
# gives, passed to a second tls.connect({session}), must make
# isSessionReused() true against our server; our --sess-out/--sess-in
# against one Node server serving two connections. TLS 1.2 with Node:
# test_node.sh.
#
# usage: test_node_tls13.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

NODE=$(command -v node || command -v nodejs || true)
if [ -z "$NODE" ]; then
    lt_fail "node is installed" "node in PATH" "not found (run scripts/install_deps.sh: nodejs)"
    lt_finish
fi
lt_log "== Node $("$NODE" --version) with OpenSSL $("$NODE" -p process.versions.openssl)"
PEER="$(cd "$(dirname "$0")" && pwd)/node_peer.js"
CA=$PKI/ca.pem

# ------------------------------------------------------------ Node client -> lucidtls server
lt_start_lucidtls_server RSA --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
lt_start_lucidtls_server ECDSA --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
lt_start_lucidtls_server BOTH --cert "$PKI/chain.pem" --key "$PKI/server.key" \
    --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish

for srv in RSA ECDSA BOTH; do
    tok=$(lt_token "node13-$srv")
    lt_run "nodec-$srv" 20 - "$NODE" "$PEER" client "$(lt_port "$srv")" "$CA" "$tok"
    lt_expect_rc "Node client (defaults) vs our $srv server: handshake, echo, close" 0
    # Our first TLS 1.3 suite; Node offers all three.
    lt_expect_contains "Node client vs our $srv server: TLS 1.3, TLS_AES_128_GCM_SHA256" "$LAST_OUT" \
        "negotiated TLSv1.3 TLS_AES_128_GCM_SHA256 TLS_AES_128_GCM_SHA256"
    lt_expect_contains "Node client vs our $srv server: line echoed back" "$LAST_OUT" "received $tok"
    lt_expect_file_eq "Node client vs our $srv server: nothing on stderr" "$LAST_ERR" ""
done

# Resumption: the ticket from the first connection's 'session' event.
tok=$(lt_token node13-resume)
lt_run nodec-resume 20 - "$NODE" "$PEER" client-resume "$(lt_port RSA)" "$CA" "$tok"
lt_expect_rc "Node client, two connections, the second with {session}: exit 0" 0
lt_expect_contains "first connection: Node's 'session' event gave a ticket" "$LAST_OUT" "got a session true"
lt_expect_eq "both connections TLS 1.3" 2 "$(grep -c '^negotiated TLSv1\.3 ' "$LAST_OUT")"
lt_expect_contains "first connection: echoed" "$LAST_OUT" "received $tok-1"
lt_expect_contains "second connection: echoed" "$LAST_OUT" "received $tok-2"
lt_expect_eq "isSessionReused(): false, then true" "false true" \
    "$(awk '/^session_reused / { printf "%s%s", sep, $2; sep = " " }' "$LAST_OUT")"
lt_expect_file_eq "Node resumption: nothing on stderr" "$LAST_ERR" ""

for srv in RSA ECDSA BOTH; do
    lt_expect_alive "our $srv server still serving after the Node clients" "$srv"
    lt_expect_not_contains "our $srv server: no failed handshake or connection" "$(lt_server_err "$srv")" "failed"
    lt_stop_server "$srv"
done

# ------------------------------------------------------------ lucidtls client -> Node server
for ident in RSA ECDSA P384; do
    lt_start_server "nodes-$ident" "$NODE" "$PEER" server @PORT@ "$(lt_chain_of "$ident")" "$(lt_key_of "$ident")" \
        || continue
    tok=$(lt_token "nodes-$ident")
    lt_session "nodes-$ident" 10 "$tok\n" "$tok" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "nodes-$ident")" --cafile "$CA" --servername localhost
    lt_expect_rc "lucidtls client vs Node server (defaults, $ident): exits 0" 0
    lt_expect_file_eq "Node server ($ident): stdout is exactly the echoed line" "$LAST_OUT" "$tok"$'\n'
    lt_wait_exit "nodes-$ident"
    sall=$(lt_server_all "nodes-$ident")
    lt_expect_match "Node server ($ident): TLS 1.3" "$sall" \
        '^negotiated TLSv1\.3 TLS_(AES_(128_GCM_SHA256|256_GCM_SHA384)|CHACHA20_POLY1305_SHA256) TLS_'
    lt_expect_contains "Node server ($ident): received our line" "$sall" "received $tok"
    lt_expect_not_contains "Node server ($ident): no TLS error" "$sall" "tls error"
done

# Resumption: one Node server, two connections; --sess-out, then --sess-in.
lt_start_server nodes-resume "$NODE" "$PEER" server @PORT@ "$PKI/chain.pem" "$PKI/server.key" 2 || lt_finish
SESS=$WORK/node.sess
for step in full resumed; do
    tok=$(lt_token "nodes-$step")
    if [ "$step" = full ]; then
        args=(--sess-out "$SESS")
    else
        args=(--sess-in "$SESS")
    fi
    lt_session "nodes-$step" 10 "$tok\n" "$tok" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port nodes-resume)" --cafile "$CA" --servername localhost "${args[@]}"
    lt_expect_rc "our client ${args[0]} vs the Node server: exits 0" 0
    lt_expect_file_eq "our client ${args[0]}: stdout is exactly the echoed line" "$LAST_OUT" "$tok"$'\n'
done
lt_expect_contains "--sess-in: our client says the session was resumed" "$LAST_ERR" "lucidtls: session resumed"
lt_wait_exit nodes-resume
sall=$(lt_server_all nodes-resume)
lt_expect_eq "Node server: isSessionReused() false, then true" "false true" \
    "$(awk '/^session_reused / { printf "%s%s", sep, $2; sep = " " }' "$sall")"
lt_expect_eq "Node server: both connections TLS 1.3" 2 "$(grep -c '^negotiated TLSv1\.3 ' "$sall")"
lt_expect_not_contains "Node server: no TLS error" "$sall" "tls error"

lt_finish
