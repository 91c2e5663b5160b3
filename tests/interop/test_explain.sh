#!/usr/bin/env bash
# The narration (tools/narrate.c): `lucidtls demo`, `lucidtls client
# --explain` against openssl s_server and `lucidtls server --explain` against
# openssl s_client tell the key exchange and record protection that were
# really negotiated, in the seed's words:
#   - RSA key transport (the demo's default): Bob encrypts the PMS to Alice,
#     she decrypts it, no forward secrecy;
#   - ECDHE: Alice signs a fresh key (ServerKeyExchange), Bob checks the
#     signature, both compute the PMS, forward secrecy and why; none of the
#     RSA sentences;
#   - each record's steps in their real order: MAC-then-encrypt,
#     encrypt-then-MAC (RFC 7366, with why), or one AEAD seal (GCM,
#     ChaCha20-Poly1305);
#   - no secret without --show-secrets (the master secret from the peer's or
#     our own key log; the PMS lines), and with it the secrets in full.
#
# usage: test_explain.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem
S_SERVER=(-tls1_2 -cert "$PKI/chain.pem" -key "$PKI/server.key" -naccept 1 -groups X25519)
S_CLIENT=(openssl s_client -nocommands -tls1_2 -CAfile "$CA" -verify_return_error -servername localhost)

# expect_no_match DESC FILE ERE — no line matches (extended regex).
expect_no_match() {
    local desc=$1 file=$2 re=$3
    if [ ! -s "$file" ]; then
        lt_fail "$desc" "some output to search" "(empty)"
    elif grep -qE -- "$re" "$file"; then
        lt_fail "$desc" "no line matching /$re/" "$(grep -nE -- "$re" "$file" | head -n 3 | cut -c1-200)"
    else
        lt_pass "$desc"
    fi
}

# expect_before DESC FILE FIRST THEN — FIRST (fixed string) is told on an
# earlier line than THEN; both are there.
expect_before() {
    local desc=$1 file=$2 a=$3 b=$4 la lb
    la=$(grep -nF -- "$a" "$file" | head -n 1 | cut -d: -f1)
    lb=$(grep -nF -- "$b" "$file" | head -n 1 | cut -d: -f1)
    if [ -n "$la" ] && [ -n "$lb" ] && [ "$la" -lt "$lb" ]; then
        lt_pass "$desc"
    else
        lt_fail "$desc" "'$a' (line ${la:-none}) before '$b' (line ${lb:-none})" "$(lt_excerpt "$file" 4)"
    fi
}

# expect_same_pms DESC FILE DIGITS — the narration shows the PMS in full
# (DIGITS hex digits) on two lines, Bob's and Alice's, and they are equal.
expect_same_pms() {
    local desc=$1 file=$2 digits=$3 vals
    vals=$(grep -oE "PMS = [0-9a-f]+" "$file" | awk '{ print $3 }' | sort -u)
    local n count
    n=$(grep -cE "PMS = [0-9a-f]{$digits}\$" "$file")
    count=$(printf '%s\n' "$vals" | grep -c .)
    if [ "$n" = 2 ] && [ "$count" = 1 ]; then
        lt_pass "$desc"
    else
        lt_fail "$desc" "two 'PMS = <$digits hex digits>' lines with one value" \
            "$n such lines, values: $(printf '%s' "$vals" | tr '\n' ' ' | cut -c1-200)"
    fi
}

master_of() { awk '$1 == "CLIENT_RANDOM" { print $3 }' "$1" 2>/dev/null | tail -n 1; }

# The ECDHE story's key sentences, both sides present (the demo).
ECDHE_BOTH=(
    "ServerKeyExchange (RFC 8422 5.4): the public half of a fresh x25519 key pair"
    "she signs it with her certificate's private key (rsa_pss_rsae_sha256)"
    "her long-term key only signs: it will decrypt nothing"
    "keyUsage allows digitalSignature"
    "Bob checks Alice's signature on her x25519 key with the public key in her certificate (rsa_pss_rsae_sha256): ok"
    "Bob makes his own fresh x25519 key pair and combines his private key with Alice's public key (ECDH)"
    "ClientKeyExchange (RFC 8422 5.7): his fresh x25519 public key"
    "Alice combines her private key with Bob's public key (ECDH): the same shared secret, so the same PMS"
    "Forward secrecy: Alice's certificate key only signed her fresh key; it decrypted nothing"
    "later steals Alice's long-term private key still cannot compute the PMS"
)
# Sentences only RSA key transport may tell.
RSA_ONLY=(
    "Bob encrypts the PMS under Alice's"
    "Alice decrypts the EMS"
    "version 03 03 + 46 random bytes"
    "ClientKeyExchange (RFC 5246 7.4.7): the EMS"
    "no forward secrecy"
    "keyUsage allows keyEncipherment"
)
# Encrypt-then-MAC record lines, both directions.
ETM_LINES=(
    "encrypt with E_B, then MAC the ciphertext with M_B"
    "check the MAC with M_B first, then decrypt with E_B: ok"
    "encrypt with E_A, then MAC the ciphertext with M_A"
    "check the MAC with M_A first, then decrypt with E_A: ok"
)
ETM_WHY=(
    "Encrypt-then-MAC (RFC 7366 3): yes"
    "the seed's \"MAC then encrypt\" is reversed on the wire"
    "the receiver checks the MAC before any decryption or padding is looked at"
    "padding-oracle class (Lucky13, POODLE-style attacks)"
)

# ------------------------------------------------------------ demo: the seed's RSA story (the default)
rm -f "$WORK/demo-rsa.keylog"
SSLKEYLOGFILE=$WORK/demo-rsa.keylog lt_run demo-rsa 30 - "$LUCIDTLS" demo
lt_expect_rc "demo (rsa): exits 0" 0
lt_expect_contains "demo (rsa): the end" "$LAST_OUT" "The end."
lt_expect_contains "demo (rsa): Alice picks RSA key transport with CBC" "$LAST_OUT" \
    "Cipher: TLS_RSA_WITH_AES_128_CBC_SHA256"
for s in "Bob encrypts the PMS under Alice's RSA-2048 public key" "Alice decrypts the EMS with her RSA private key" \
    "no forward secrecy" "keyUsage allows keyEncipherment" "Encrypt-then-MAC (RFC 7366 3): no" \
    "that is the seed's order" "MAC with M_B, encrypt with E_B" "decrypt with E_B, check the MAC with M_B: ok" \
    "MAC with M_A, encrypt with E_A" "decrypt with E_A, check the MAC with M_A: ok"; do
    lt_expect_contains "demo (rsa) tells: $s" "$LAST_OUT" "$s"
done
for s in "ServerKeyExchange" "Forward secrecy:" "then MAC the ciphertext" "ECDH"; do
    lt_expect_not_contains "demo (rsa) does not tell: $s" "$LAST_OUT" "$s"
done
lt_expect_secret_hidden "demo (rsa) hides the master secret" "$LAST_OUT" "$(master_of "$WORK/demo-rsa.keylog")"
lt_expect_contains "demo (rsa): the PMS is hidden" "$LAST_OUT" "PMS = (hidden: 48 bytes"
expect_no_match "demo (rsa): no secret value on a PMS, master secret or key line" "$LAST_OUT" \
    '(PMS|master_secret|client_write_key|server_write_MAC_key) += [0-9a-f]{8}'

rm -f "$WORK/demo-rsa-s.keylog"
SSLKEYLOGFILE=$WORK/demo-rsa-s.keylog lt_run demo-rsa-s 30 - "$LUCIDTLS" demo --show-secrets
lt_expect_rc "demo --show-secrets (rsa): exits 0" 0
lt_expect_secret_shown "demo --show-secrets (rsa) shows the master secret of the key log" "$LAST_OUT" \
    "$(master_of "$WORK/demo-rsa-s.keylog")"
expect_same_pms "demo --show-secrets (rsa): Bob's PMS and the one Alice decrypted, 48 bytes, equal" "$LAST_OUT" 96

# ------------------------------------------------------------ demo --kx ecdhe
rm -f "$WORK/demo-ecdhe.keylog"
SSLKEYLOGFILE=$WORK/demo-ecdhe.keylog lt_run demo-ecdhe 30 - "$LUCIDTLS" demo --kx ecdhe
lt_expect_rc "demo --kx ecdhe: exits 0" 0
lt_expect_contains "demo --kx ecdhe: the end" "$LAST_OUT" "The end."
lt_expect_contains "demo --kx ecdhe: ECDHE_RSA with CBC" "$LAST_OUT" "Cipher: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"
lt_expect_contains "demo --kx ecdhe: Alice picks x25519" "$LAST_OUT" "Group for ECDHE (RFC 8422 5.1.1): x25519"
lt_expect_contains "demo --kx ecdhe: the phase-3 header" "$LAST_OUT" \
    "3. The pre-master secret: agreed with ECDHE, never sent"
for s in "${ECDHE_BOTH[@]}" "${ETM_WHY[@]}" "${ETM_LINES[@]}"; do
    lt_expect_contains "demo --kx ecdhe tells: $s" "$LAST_OUT" "$s"
done
for s in "${RSA_ONLY[@]}" "MAC with M_B, encrypt with E_B" "MAC with M_A, encrypt with E_A"; do
    lt_expect_not_contains "demo --kx ecdhe does not tell: $s" "$LAST_OUT" "$s"
done
expect_before "demo --kx ecdhe: Alice's flight ends before Bob computes the PMS" "$LAST_OUT" \
    "ServerHelloDone (RFC 5246 7.4.5)" "Bob makes his own fresh x25519 key pair"
expect_before "demo --kx ecdhe: Bob checks the signature before he uses the key" "$LAST_OUT" \
    "Bob checks Alice's signature" "Bob makes his own fresh x25519 key pair"
expect_before "demo --kx ecdhe: forward secrecy is told once both have the PMS" "$LAST_OUT" \
    "Alice combines her private key" "Forward secrecy:"
lt_expect_secret_hidden "demo --kx ecdhe hides the master secret" "$LAST_OUT" "$(master_of "$WORK/demo-ecdhe.keylog")"
lt_expect_contains "demo --kx ecdhe: the PMS is hidden" "$LAST_OUT" "PMS = (hidden: 32 bytes"
expect_no_match "demo --kx ecdhe: no secret value on a PMS, master secret or key line" "$LAST_OUT" \
    '(PMS|master_secret|client_write_key|server_write_MAC_key) += [0-9a-f]{8}'
lt_expect_contains "demo --kx ecdhe: the hint names --kx ecdhe" "$LAST_OUT" "lucidtls demo --kx ecdhe --show-secrets"

rm -f "$WORK/demo-ecdhe-s.keylog"
SSLKEYLOGFILE=$WORK/demo-ecdhe-s.keylog lt_run demo-ecdhe-s 30 - "$LUCIDTLS" demo --show-secrets --kx=ecdhe
lt_expect_rc "demo --show-secrets --kx=ecdhe: exits 0" 0
lt_expect_contains "demo --show-secrets --kx=ecdhe: ECDHE was used" "$LAST_OUT" "Forward secrecy:"
lt_expect_secret_shown "demo --show-secrets --kx=ecdhe shows the master secret of the key log" "$LAST_OUT" \
    "$(master_of "$WORK/demo-ecdhe-s.keylog")"
expect_same_pms "demo --show-secrets --kx=ecdhe: Bob's and Alice's x25519 shared secrets, 32 bytes, equal" \
    "$LAST_OUT" 64

for bad in "--kx dh" "--kx" "--kx=" "--secrets"; do
    # shellcheck disable=SC2086  # the words are the arguments
    lt_run "demo-bad" 10 - "$LUCIDTLS" demo $bad
    lt_expect_rc "demo $bad: usage error" 2
    lt_expect_contains "demo $bad: the usage names --kx" "$LAST_ERR" "usage: lucidtls demo [--kx rsa|ecdhe] [--show-secrets]"
done

# ------------------------------------------------------------ client --explain against s_server
# explain_client NAME CIPHER [S_SERVER ARGS...]: LAST_ALL is the narration,
# $WORK/NAME.keylog OpenSSL's key log.
explain_client() {
    local name=$1 cipher=$2 tok
    shift 2
    rm -f "$WORK/$name.keylog"
    lt_start_openssl_server "$name" "${S_SERVER[@]}" -rev -cipher "$cipher" -keylogfile "$WORK/$name.keylog" "$@" ||
        return 1
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$(lt_reverse "$tok")" "$LUCIDTLS" client "127.0.0.1:$(lt_port "$name")" \
        --cafile "$CA" --servername localhost --explain "${EXPLAIN_EXTRA[@]}"
    lt_expect_rc "[$name] client --explain ${EXPLAIN_EXTRA[*]}: exits 0" 0
    lt_expect_contains "[$name] data both ways" "$LAST_OUT" "$(lt_reverse "$tok")"
    lt_wait_exit "$name"
}

EXPLAIN_EXTRA=()
# ECDHE with CBC: OpenSSL agrees to encrypt-then-MAC.
if explain_client cl-ecdhe-etm ECDHE-RSA-AES128-SHA256; then
    for s in "ServerKeyExchange (RFC 8422 5.4): her fresh x25519 public key" \
        "Bob checks Alice's signature on her x25519 key with the public key in her certificate" \
        "keyUsage allows digitalSignature" \
        "Bob makes his own fresh x25519 key pair and combines his private key with Alice's public key (ECDH)" \
        "ClientKeyExchange (RFC 8422 5.7): his fresh x25519 public key" \
        "Forward secrecy: Alice's certificate key only signed her fresh key" \
        "later steals Alice's long-term private key still cannot compute the PMS" \
        "${ETM_WHY[@]}" "${ETM_LINES[0]}" "${ETM_LINES[3]}"; do
        lt_expect_contains "[cl-ecdhe-etm] tells: $s" "$LAST_ALL" "$s"
    done
    for s in "${RSA_ONLY[@]}" "MAC with M_B, encrypt with E_B" "decrypt with E_A, check the MAC with M_A"; do
        lt_expect_not_contains "[cl-ecdhe-etm] does not tell: $s" "$LAST_ALL" "$s"
    done
    expect_before "[cl-ecdhe-etm] Alice's flight ends before Bob's PMS is told" "$LAST_ALL" \
        "ServerHelloDone (RFC 5246 7.4.5)" "Bob makes his own fresh x25519 key pair"
    lt_expect_secret_hidden "[cl-ecdhe-etm] hides the master secret OpenSSL logged" "$LAST_ALL" \
        "$(master_of "$WORK/cl-ecdhe-etm.keylog")"
    lt_expect_contains "[cl-ecdhe-etm] the PMS is hidden" "$LAST_ALL" "PMS = (hidden: 32 bytes"
    expect_no_match "[cl-ecdhe-etm] no secret value on a PMS, master secret or key line" "$LAST_ALL" \
        '(PMS|master_secret|client_write_key|server_write_MAC_key) += [0-9a-f]{8}'
fi

EXPLAIN_EXTRA=(--show-secrets)
if explain_client cl-ecdhe-shown ECDHE-RSA-AES128-SHA256; then
    lt_expect_secret_shown "[cl-ecdhe-shown] --show-secrets shows the master secret OpenSSL logged" "$LAST_ALL" \
        "$(master_of "$WORK/cl-ecdhe-shown.keylog")"
    lt_expect_match "[cl-ecdhe-shown] --show-secrets shows the 32-byte PMS" "$LAST_ALL" 'PMS = [0-9a-f]{64}$'
fi
EXPLAIN_EXTRA=()

# ECDHE with CBC, encrypt-then-MAC refused: the seed's order.
if explain_client cl-ecdhe-mte ECDHE-RSA-AES128-SHA -no_etm; then
    for s in "Encrypt-then-MAC (RFC 7366 3): no" "that is the seed's order" "MAC with M_B, encrypt with E_B" \
        "decrypt with E_A, check the MAC with M_A: ok" "Forward secrecy:"; do
        lt_expect_contains "[cl-ecdhe-mte] tells: $s" "$LAST_ALL" "$s"
    done
    lt_expect_not_contains "[cl-ecdhe-mte] no encrypt-then-MAC line" "$LAST_ALL" "then MAC the ciphertext"
fi

# ECDHE with ChaCha20-Poly1305: one AEAD step, named for its cipher.
if explain_client cl-ecdhe-chacha ECDHE-RSA-CHACHA20-POLY1305; then
    for s in "one AEAD seal with E_B (ChaCha20-Poly1305 encrypts and appends a tag; the tag is the MAC)" \
        "one AEAD open with E_A (ChaCha20-Poly1305: the tag, which is the MAC, must match" \
        "with ChaCha20-Poly1305 the AEAD tag replaces the MAC (RFC 7905 2)" "Forward secrecy:"; do
        lt_expect_contains "[cl-ecdhe-chacha] tells: $s" "$LAST_ALL" "$s"
    done
    for s in "seal with E_B (AES" "AES-GCM tag" "MAC with M_B" "then MAC the ciphertext" "Encrypt-then-MAC (RFC 7366"; do
        lt_expect_not_contains "[cl-ecdhe-chacha] does not tell: $s" "$LAST_ALL" "$s"
    done
fi

# RSA key transport against OpenSSL: the seed's step 3, records EtM.
if explain_client cl-rsa-etm AES128-SHA256; then
    for s in "Bob encrypts the PMS under Alice's RSA-2048 public key" "no forward secrecy" \
        "keyUsage allows keyEncipherment" "${ETM_LINES[0]}" "${ETM_LINES[3]}"; do
        lt_expect_contains "[cl-rsa-etm] tells: $s" "$LAST_ALL" "$s"
    done
    for s in "ServerKeyExchange" "Forward secrecy:" "MAC with M_B, encrypt with E_B"; do
        lt_expect_not_contains "[cl-rsa-etm] does not tell: $s" "$LAST_ALL" "$s"
    done
    lt_expect_secret_hidden "[cl-rsa-etm] hides the master secret OpenSSL logged" "$LAST_ALL" \
        "$(master_of "$WORK/cl-rsa-etm.keylog")"
fi

# ------------------------------------------------------------ server --explain against s_client
lt_start_lucidtls_server sv-ecdhe --cert "$PKI/chain.pem" --key "$PKI/server.key" --explain || lt_finish
tok=$(lt_token sv-ecdhe)
rm -f "$WORK/sv-ecdhe.keylog"
lt_session sv-ecdhe 10 "$tok\n" "$tok" "${S_CLIENT[@]}" -connect "127.0.0.1:$(lt_port sv-ecdhe)" \
    -cipher ECDHE-RSA-AES128-GCM-SHA256 -keylogfile "$WORK/sv-ecdhe.keylog"
lt_expect_rc "[sv-ecdhe] s_client handshake" 0
lt_expect_contains "[sv-ecdhe] echo" "$LAST_OUT" "$tok"
lt_wait_for "$(lt_server_err sv-ecdhe)" "7. Close" 5 || lt_wait_for "$(lt_server_err sv-ecdhe)" "6. Data" 2
lt_stop_server sv-ecdhe
cat "$(lt_server_out sv-ecdhe)" "$(lt_server_err sv-ecdhe)" >"$WORK/sv-ecdhe-all.txt"
for s in "Group for ECDHE (RFC 8422 5.1.1): x25519" \
    "ServerKeyExchange (RFC 8422 5.4): the public half of a fresh x25519 key pair" \
    "she signs it with her certificate's private key" \
    "ClientKeyExchange (RFC 8422 5.7): his fresh x25519 public key" \
    "Alice combines her private key with Bob's public key (ECDH): the same shared secret" \
    "Forward secrecy: Alice's certificate key only signed her fresh key" \
    "with AES-128-GCM the AEAD tag replaces the MAC (RFC 5288 3)" \
    "one AEAD open with E_B (AES-128-GCM" "one AEAD seal with E_A (AES-128-GCM"; do
    lt_expect_contains "[sv-ecdhe] server --explain tells: $s" "$WORK/sv-ecdhe-all.txt" "$s"
done
for s in "${RSA_ONLY[@]}" "MAC with M_A" "then MAC the ciphertext"; do
    lt_expect_not_contains "[sv-ecdhe] server --explain does not tell: $s" "$WORK/sv-ecdhe-all.txt" "$s"
done
lt_expect_secret_hidden "[sv-ecdhe] server --explain hides the master secret s_client logged" \
    "$WORK/sv-ecdhe-all.txt" "$(master_of "$WORK/sv-ecdhe.keylog")"
expect_no_match "[sv-ecdhe] no secret value on a PMS, master secret or key line" "$WORK/sv-ecdhe-all.txt" \
    '(PMS|master_secret|client_write_key|server_write_key) += [0-9a-f]{8}'

lt_finish
