#!/usr/bin/env bash
# The security level and the keyUsage rule, against a real peer: lucidtls
# client vs openssl s_server serving certificates that the test CA issued but
# that are too weak or unfit for RSA key transport:
#
#   an RSA-1024 leaf        insufficient_security (71), unless --security-level 1 (or 0)
#   a SHA-1-signed leaf     bad_certificate (42), unless --security-level 0
#                           (OpenSSL 3 rates SHA-1 at 63 bits: level 1 refuses it too)
#   keyUsage digitalSignature only, for RSA key transport (--ciphers AES128-GCM-SHA256)
#                           unsupported_certificate (43) whatever the level
#                           (RFC 5246 7.4.2: keyEncipherment for RSA key transport);
#                           the same certificate is fine for ECDHE_RSA (the default)
#   keyUsage keyEncipherment only, for ECDHE_RSA
#                           unsupported_certificate (43): the key signs the
#                           ServerKeyExchange (RFC 8422 5.3, RFC 5280 4.2.1.3)
#
# Each refusal: non-zero exit, exactly one line on stderr naming the problem,
# and the alert as s_server received it. The weak certificates are made here
# with the openssl CLI (the test PKI's CA signs them); s_server serves them
# with @SECLEVEL=0, since its own default level would refuse to load them.
#
# usage: test_seclevel.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem

# ------------------------------------------------------------ the weak certificates
cat >"$WORK/leaf.cnf" <<'EOF'
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ leaf_sig_only ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ leaf_enc_only ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
EOF

# make_leaf NAME KEY DIGEST EXTENSIONS: $WORK/NAME-chain.pem (leaf, then the CA).
make_leaf() {
    local name=$1 key=$2 md=$3 section=$4
    openssl req -new -key "$key" -subj "/CN=localhost" -out "$WORK/$name.csr" 2>>"$WORK/pki.log" \
        && openssl x509 -req -in "$WORK/$name.csr" -CA "$CA" -CAkey "$PKI/ca.key" \
            -set_serial "0x$(openssl rand -hex 8)" -days 2 "-$md" \
            -extfile "$WORK/leaf.cnf" -extensions "$section" -out "$WORK/$name.pem" 2>>"$WORK/pki.log" \
        && cat "$WORK/$name.pem" "$CA" >"$WORK/$name-chain.pem"
}

ok=1
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$WORK/rsa1024.key" 2>>"$WORK/pki.log" || ok=0
make_leaf rsa1024 "$WORK/rsa1024.key" sha256 leaf || ok=0
make_leaf sha1 "$PKI/server.key" sha1 leaf || ok=0
make_leaf sigonly "$PKI/server.key" sha256 leaf_sig_only || ok=0
make_leaf enconly "$PKI/server.key" sha256 leaf_enc_only || ok=0
if [ "$ok" = 1 ] && openssl x509 -in "$WORK/rsa1024.pem" -noout -text | grep -q 'Public-Key: (1024 bit)' \
    && openssl x509 -in "$WORK/sha1.pem" -noout -text | grep -q 'Signature Algorithm: sha1WithRSAEncryption' \
    && openssl x509 -in "$WORK/sigonly.pem" -noout -ext keyUsage | grep -qx ' *Digital Signature' \
    && openssl x509 -in "$WORK/enconly.pem" -noout -ext keyUsage | grep -qx ' *Key Encipherment'; then
    lt_pass "made an RSA-1024 leaf, a SHA-1-signed leaf, a digitalSignature-only and a keyEncipherment-only leaf"
else
    lt_fail "make the weak certificates" "four certificates" "$(lt_excerpt "$WORK/pki.log" 8)" "openssl req / x509 -req"
    lt_finish
fi

# serve NAME CHAIN KEY: a one-shot s_server -rev that will serve weak things.
serve() {
    lt_start_openssl_server "$1" -tls1_2 -naccept 1 -rev -cert "$2" -key "$3" -cipher 'DEFAULT:@SECLEVEL=0'
}

# refused NAME CHAIN KEY [CLIENT_ARGS...]: our client must fail against it.
refused() {
    local name=$1 chain=$2 key=$3
    shift 3
    serve "$name" "$chain" "$key" || return 1
    lt_session "$name" 10 "should-not-arrive\n" "" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "$name")" --cafile "$CA" --servername localhost "$@"
    lt_wait_exit "$name"
}

# accepted NAME CHAIN KEY CLIENT_ARGS...: data both ways.
accepted() {
    local name=$1 chain=$2 key=$3 tok
    shift 3
    serve "$name" "$chain" "$key" || return 1
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$(lt_reverse "$tok")" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "$name")" --cafile "$CA" --servername localhost "$@"
    lt_expect_rc "$name: handshake and data" 0
    lt_expect_file_eq "$name: the reversed line came back" "$LAST_OUT" "$(lt_reverse "$tok")"$'\n'
    lt_wait_exit "$name"
}

# ------------------------------------------------------------ RSA-1024
refused rsa1024 "$WORK/rsa1024-chain.pem" "$WORK/rsa1024.key"
lt_expect_rc "RSA-1024 leaf at the default level: client fails" nonzero
lt_expect_contains "RSA-1024 leaf: says what the key is and what level 2 needs" "$LAST_ERR" \
    "server key is RSA-1024; the minimum at security level 2 is 2048"
lt_expect_one_line "RSA-1024 leaf"
lt_expect_contains "RSA-1024 leaf: s_server got insufficient_security (71)" "$(lt_server_all rsa1024)" \
    "SSL alert number 71"
lt_expect_file_eq "RSA-1024 leaf: nothing on stdout" "$LAST_OUT" ""

refused rsa1024-l3 "$PKI/chain.pem" "$PKI/server.key" --security-level 3
lt_expect_rc "the RSA-2048 test PKI at --security-level 3: client fails" nonzero
lt_expect_contains "--security-level 3: RSA-2048 is below 3072" "$LAST_ERR" \
    "server key is RSA-2048; the minimum at security level 3 is 3072"
lt_expect_contains "--security-level 3: s_server got insufficient_security (71)" "$(lt_server_all rsa1024-l3)" \
    "SSL alert number 71"

accepted rsa1024-l1 "$WORK/rsa1024-chain.pem" "$WORK/rsa1024.key" --security-level 1
accepted rsa1024-l0 "$WORK/rsa1024-chain.pem" "$WORK/rsa1024.key" --security-level 0

# ------------------------------------------------------------ SHA-1 signature
refused sha1 "$WORK/sha1-chain.pem" "$PKI/server.key"
lt_expect_rc "SHA-1-signed leaf at the default level: client fails" nonzero
lt_expect_contains "SHA-1-signed leaf: names the certificate and the hash" "$LAST_ERR" \
    "certificate 'CN=localhost' (depth 0) is signed with SHA-1, which security level 2 forbids"
lt_expect_one_line "SHA-1-signed leaf"
lt_expect_contains "SHA-1-signed leaf: s_server got bad_certificate (42)" "$(lt_server_all sha1)" "SSL alert number 42"

refused sha1-l1 "$WORK/sha1-chain.pem" "$PKI/server.key" --security-level 1
lt_expect_rc "SHA-1-signed leaf at --security-level 1: still refused (OpenSSL 3: SHA-1 is 63 bits)" nonzero
lt_expect_contains "--security-level 1: says level 1" "$LAST_ERR" "which security level 1 forbids"

accepted sha1-l0 "$WORK/sha1-chain.pem" "$PKI/server.key" --security-level 0

# ------------------------------------------------------------ keyUsage without keyEncipherment, RSA key transport
# RSA key exchange asked for by name: the default puts ECDHE first.
refused sigonly "$WORK/sigonly-chain.pem" "$PKI/server.key" --ciphers AES128-GCM-SHA256
lt_expect_rc "keyUsage digitalSignature only, RSA key exchange: client fails" nonzero
lt_expect_contains "keyUsage digitalSignature only: says keyEncipherment is needed" "$LAST_ERR" \
    "RSA key exchange needs a certificate that allows keyEncipherment (RFC 5246 7.4.2); the server's allows only digitalSignature"
lt_expect_one_line "keyUsage digitalSignature only"
lt_expect_contains "keyUsage digitalSignature only: s_server got unsupported_certificate (43)" \
    "$(lt_server_all sigonly)" "SSL alert number 43"

refused sigonly-l0 "$WORK/sigonly-chain.pem" "$PKI/server.key" --security-level 0 --ciphers AES128-SHA
lt_expect_rc "keyUsage digitalSignature only at --security-level 0, RSA key exchange: still refused (not a strength rule)" nonzero
lt_expect_contains "keyUsage digitalSignature only at level 0: s_server got unsupported_certificate (43)" \
    "$(lt_server_all sigonly-l0)" "SSL alert number 43"

# The same certificate for ECDHE_RSA: the key only signs, which it may.
accepted sigonly-ecdhe "$WORK/sigonly-chain.pem" "$PKI/server.key"
lt_expect_contains "keyUsage digitalSignature only: ECDHE_RSA was used (the default)" "$(lt_server_all sigonly-ecdhe)" \
    "Ciphersuite: ECDHE-RSA-AES128-GCM-SHA256"

# ------------------------------------------------------------ keyUsage without digitalSignature, ECDHE
# keyEncipherment only: fine for RSA key transport, but ECDHE_RSA needs the
# key to sign the ServerKeyExchange (RFC 8422 5.3: digitalSignature).
refused enconly "$WORK/enconly-chain.pem" "$PKI/server.key"
lt_expect_rc "keyUsage keyEncipherment only, ECDHE_RSA: client fails" nonzero
lt_expect_contains "keyUsage keyEncipherment only: says the signed key exchange needs digitalSignature" "$LAST_ERR" \
    "a signed key exchange needs a certificate that allows digitalSignature (RFC 5280 4.2.1.3); the server's allows only keyEncipherment"
lt_expect_one_line "keyUsage keyEncipherment only"
lt_expect_contains "keyUsage keyEncipherment only: s_server got unsupported_certificate (43)" \
    "$(lt_server_all enconly)" "SSL alert number 43"
lt_expect_file_eq "keyUsage keyEncipherment only: nothing on stdout" "$LAST_OUT" ""

for suite in ECDHE-RSA-CHACHA20-POLY1305 ECDHE-RSA-AES256-SHA; do
    refused "enconly-$suite" "$WORK/enconly-chain.pem" "$PKI/server.key" --ciphers "$suite"
    lt_expect_rc "keyUsage keyEncipherment only, --ciphers $suite: client fails" nonzero
    lt_expect_contains "keyUsage keyEncipherment only, $suite: s_server got unsupported_certificate (43)" \
        "$(lt_server_all "enconly-$suite")" "SSL alert number 43"
done

# The same certificate for RSA key transport: that is what it allows.
accepted enconly-rsa "$WORK/enconly-chain.pem" "$PKI/server.key" --ciphers AES256-GCM-SHA384
lt_expect_contains "keyUsage keyEncipherment only, RSA key exchange: AES256-GCM-SHA384 was used" \
    "$(lt_server_all enconly-rsa)" "Ciphersuite: AES256-GCM-SHA384"

# ------------------------------------------------------------ the option itself
lt_run badlevel 10 - "$LUCIDTLS" client 127.0.0.1:1 --cafile "$CA" --security-level 6
lt_expect_rc "--security-level 6: refused" 1
lt_expect_contains "--security-level 6: says the range" "$LAST_ERR" "security level must be 0 to 5, got 6"
lt_expect_one_line "--security-level 6"

lt_finish
