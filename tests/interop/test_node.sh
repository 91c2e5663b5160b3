#!/usr/bin/env bash
# Node's tls module (OpenSSL underneath, with Node's own defaults: its cipher
# list, TLS 1.3 enabled, curves "auto") against lucidtls, both ways, nothing
# tuned (node_peer.js): Node's client against our server with an RSA, an
# ECDSA and both identities; our client against a Node server with an RSA
# and with an ECDSA certificate. Each must settle on TLS 1.2 with an ECDHE
# suite of the certificate's kind, data both ways, closed cleanly. Node is
# left as it is; our side is held to TLS 1.2 (--tls1_2): with both at their
# defaults TLS 1.3 is chosen (test_node_tls13.sh).
#
# usage: test_node.sh BUILD_DIR
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
lt_start_lucidtls_server RSA --tls1_2 --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
lt_start_lucidtls_server ECDSA --tls1_2 --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
lt_start_lucidtls_server BOTH --tls1_2 --cert "$PKI/chain.pem" --key "$PKI/server.key" \
    --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish

for srv in RSA ECDSA BOTH; do
    kind=$srv
    # Node's list puts ECDHE-RSA-AES128-GCM-SHA256 first, but we choose by our
    # order: ECDSA first when we have both.
    [ "$srv" = BOTH ] && kind=ECDSA
    tok=$(lt_token "node-$srv")
    lt_run "nodec-$srv" 20 - "$NODE" "$PEER" client "$(lt_port "$srv")" "$CA" "$tok"
    lt_expect_rc "Node client (defaults) vs our $srv server: handshake, echo, close" 0
    lt_expect_contains "Node client vs our $srv server: TLS 1.2, our first ECDHE_$kind suite" "$LAST_OUT" \
        "negotiated TLSv1.2 ECDHE-$kind-AES128-GCM-SHA256 TLS_ECDHE_${kind}_WITH_AES_128_GCM_SHA256"
    lt_expect_contains "Node client vs our $srv server: line echoed back" "$LAST_OUT" "received $tok"
    lt_expect_file_eq "Node client vs our $srv server: nothing on stderr" "$LAST_ERR" ""
done
for srv in RSA ECDSA BOTH; do
    lt_expect_alive "our $srv server still serving after the Node client" "$srv"
    lt_expect_not_contains "our $srv server logged no failed handshake" "$(lt_server_err "$srv")" "handshake failed"
done

# ------------------------------------------------------------ lucidtls client -> Node server
for ident in RSA ECDSA; do
    lt_start_server "nodes-$ident" "$NODE" "$PEER" server @PORT@ "$(lt_chain_of "$ident")" "$(lt_key_of "$ident")" \
        || continue
    tok=$(lt_token "nodes-$ident")
    lt_session "nodes-$ident" 10 "$tok\n" "$tok" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "nodes-$ident")" --cafile "$CA" --servername localhost --tls1_2
    lt_expect_rc "lucidtls client vs Node server (defaults, $ident): exits 0" 0
    lt_expect_file_eq "Node server ($ident): stdout is exactly the echoed line" "$LAST_OUT" "$tok"$'\n'
    lt_wait_exit "nodes-$ident"
    sall=$(lt_server_all "nodes-$ident")
    lt_expect_match "Node server ($ident): TLS 1.2 with an ECDHE_$ident AEAD suite" "$sall" \
        "^negotiated TLSv1\\.2 ECDHE-$ident-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305) TLS_ECDHE_${ident}_WITH_"
    lt_expect_contains "Node server ($ident): received our line" "$sall" "received $tok"
    lt_expect_not_contains "Node server ($ident): no TLS error" "$sall" "tls error"
done

lt_finish
