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
# And TLS 1.3 (`demo --tls13`, client --explain against s_server -tls1_3,
# server --explain against s_client -tls1_3), its story lines in their order:
# the nonces; the suites (an AEAD and a hash), groups and signature schemes
# offered and chosen, and why; the (EC)DHE shared secret in the pre-master
# secret's place, no RSA key transport; the HKDF key schedule with its
# Derive-Secret labels and transcripts; E_B and E_A as key + IV per epoch,
# no MAC keys; Alice's Finished before Bob's, and why; what CertificateVerify
# signs and why; HelloRetryRequest, resumption (the PSK in the Early Secret,
# no certificate), KeyUpdate and the dummy ChangeCipherSpec; none of the TLS
# 1.2 story's sentences; every secret of the key log hidden by default and
# shown with --show-secrets.
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

# ============================================================ TLS 1.3

# expect_in_order DESC FILE NEEDLE... — each NEEDLE (fixed string) is told on
# a later line than the one before it.
expect_in_order() {
    local desc=$1 file=$2 prev=0 ln needle
    shift 2
    for needle in "$@"; do
        ln=$(grep -nF -- "$needle" "$file" | awk -F: -v p="$prev" '$1 > p { print $1; exit }')
        if [ -n "$ln" ]; then
            lt_pass "$desc, in order: ${needle:0:100}"
            prev=$ln
        else
            lt_fail "$desc, in order: ${needle:0:100}" "a line after line $prev" \
                "$(grep -nF -- "$needle" "$file" | head -n 2 | cut -c1-160)"
        fi
    done
}

# The secrets of a TLS 1.3 key log (NSS format: LABEL client_random secret).
keylog13_secrets() { awk '$1 ~ /_SECRET(_[0-9]+)?$/ && NF == 3 { print $3 }' "$1" 2>/dev/null; }

# expect_keylog_hidden DESC FILE KEYLOG — no secret of KEYLOG appears in FILE.
expect_keylog_hidden() {
    local desc=$1 file=$2 keylog=$3 hex squashed n=0 seen=()
    squashed=$(lt_hex_squash "$file")
    while read -r hex; do
        n=$((n + 1))
        hex=$(printf '%s' "${hex:0:32}" | tr 'a-f' 'A-F')
        case $squashed in *"$hex"*) seen+=("${hex:0:16}") ;; esac
    done < <(keylog13_secrets "$keylog")
    if [ "$n" -lt 5 ]; then
        lt_fail "$desc" "a TLS 1.3 key log with at least 5 secrets" "$n in $(basename "$keylog")"
    elif [ ${#seen[@]} -gt 0 ]; then
        lt_fail "$desc" "none of the $n secrets of the key log" "these appear: ${seen[*]}"
    else
        lt_pass "$desc ($n secrets)"
    fi
}

# expect_keylog_shown DESC FILE KEYLOG — every secret of the handshakes FILE
# tells (their client_random in full) appears in it, in full.
expect_keylog_shown() {
    local desc=$1 file=$2 keylog=$3 squashed n=0 missing=() label cr hex
    squashed=$(lt_hex_squash "$file")
    while read -r label cr hex; do
        case $label in *_SECRET | *_SECRET_[0-9]*) ;; *) continue ;; esac
        cr=$(printf '%s' "$cr" | tr 'a-f' 'A-F')
        hex=$(printf '%s' "$hex" | tr 'a-f' 'A-F')
        case $squashed in *"$cr"*) ;; *) continue ;; esac
        n=$((n + 1))
        case $squashed in *"$hex"*) ;; *) missing+=("$label") ;; esac
    done <"$keylog"
    if [ "$n" -lt 5 ]; then
        lt_fail "$desc" "at least 5 secrets of this handshake in the key log" "$n"
    elif [ ${#missing[@]} -gt 0 ]; then
        lt_fail "$desc" "all $n secrets in full" "missing: ${missing[*]}"
    else
        lt_pass "$desc ($n secrets)"
    fi
}

# expect_same_shared DESC FILE — both sides' (EC)DHE shared secrets in full,
# 32 bytes, equal.
expect_same_shared() {
    local desc=$1 file=$2 vals n count
    vals=$(grep -oE "\(EC\)DHE shared secret = [0-9a-f]+" "$file" | awk '{ print $5 }' | sort -u)
    n=$(grep -cE "\(EC\)DHE shared secret = [0-9a-f]{64}\$" "$file")
    count=$(printf '%s\n' "$vals" | grep -c .)
    if [ "$n" = 2 ] && [ "$count" = 1 ]; then
        lt_pass "$desc"
    else
        lt_fail "$desc" "two '(EC)DHE shared secret = <64 hex digits>' lines with one value" \
            "$n such lines, values: $(printf '%s' "$vals" | tr '\n' ' ' | cut -c1-200)"
    fi
}

# A secret's value on a line of its own ("      = <hex>") or after its name.
SECRET13_RE='((secret|key|IV) = |^(\[[A-Za-z]+\])? +=  *)[0-9a-f]{8}'

# Sentences of the TLS 1.2 story that a TLS 1.3 handshake must not tell.
TLS12_ONLY=(
    "ServerKeyExchange (RFC"
    "ClientKeyExchange"
    "Bob encrypts the PMS"
    "ServerHelloDone"
    "PRF(master_secret"
    "Key block ="
    "MAC with M_B"
    "then MAC the ciphertext"
    "from here on Bob's records are protected"
    "Encrypt-then-MAC (RFC 7366"
)
expect_no_tls12_story() {
    local desc=$1 file=$2 s
    for s in "${TLS12_ONLY[@]}"; do
        lt_expect_not_contains "$desc does not tell: $s" "$file" "$s"
    done
}

# Bob's side of a full TLS 1.3 handshake, one side or both (the demo).
STORY13_BOB=(
    "ClientHello (RFC 8446 4.1.2): Bob's nonce, client_random = "
    "TLS 1.3 suites, an AEAD and a hash each (RFC 8446 B.4), his preference first: TLS_AES_128_GCM_SHA256 (AES-128-GCM + SHA-256)"
    "groups for the (EC)DHE key exchange (supported_groups, RFC 8446 4.2.7): x25519"
    "key_share (RFC 8446 4.2.8): already a fresh x25519 public key -- Bob guesses the group Alice will take"
    "signature schemes he accepts from Alice (signature_algorithms, RFC 8446 4.2.3)"
    "ServerHello (RFC 8446 4.1.3): her nonce, server_random = "
    "the nonces are still the two randoms"
    "Bob combines his ephemeral x25519 private key with Alice's key_share (ECDH)"
    "(EC)DHE shared secret = "
    "Early Secret = HKDF-Extract(salt = 0, IKM = 32 zero bytes): no PSK, a full handshake"
    'Handshake Secret = HKDF-Extract(salt = Derive-Secret(Early Secret, "derived", ""), IKM = the (EC)DHE shared secret)'
)
# The rest of a full TLS 1.3 handshake, as Bob tells it alone.
STORY13_CLIENT_REST=(
    'client_handshake_traffic_secret = Derive-Secret(handshake_secret, "c hs traffic", ClientHello..ServerHello)'
    'server_handshake_traffic_secret = Derive-Secret(handshake_secret, "s hs traffic", ClientHello..ServerHello)'
    "so M_B and M_A fold into E_B and E_A (RFC 8446 5.2)"
    "E_A (handshake keys) = key + IV from server_handshake_traffic_secret (RFC 8446 7.3)"
    "ChangeCipherSpec (RFC 8446 D.4): a dummy, in the clear; it switches no keys"
    "E_B (handshake keys) = key + IV from client_handshake_traffic_secret (RFC 8446 7.3)"
    "EncryptedExtensions (RFC 8446 4.3.1): the first message under her handshake keys"
    "Certificate (RFC 8446 4.4.2): her chain"
    "Bob checks Alice's certificate: chain to trusted CA 'lucidtls test root CA' ok"
    'CertificateVerify (RFC 8446 4.4.3): her rsa_pss_rsae_sha256 signature over 64 spaces, "TLS 1.3, server CertificateVerify", 0, and the transcript hash of ClientHello..Certificate = '
    "why: it proves that Alice holds the private key of the certificate she just sent, over exactly this handshake"
    "Bob checks the signature with the public key in Alice's certificate (rsa_pss_rsae_sha256): ok"
    "The seed's steps 5 and 6 swap places: Alice's MAC over the handshake (her Finished) comes before Bob's"
    "why: Alice sends her whole flight at once"
    "Bob computes what Alice's verify_data must be: HMAC(finished_key from server_handshake_traffic_secret, hash of ClientHello..CertificateVerify"
    "Alice -> Bob  Finished (RFC 8446 4.4.4): verify_data = "
    "Bob compares Alice's verify_data with his own: they match"
    'Master Secret = HKDF-Extract(salt = Derive-Secret(Handshake Secret, "derived", "")'
    'client_application_traffic_secret_0 = Derive-Secret(master_secret, "c ap traffic", ClientHello..server Finished)'
    "E_A (application keys) = key + IV from server_application_traffic_secret_0"
    "Bob's Finished (RFC 8446 4.4.4): verify_data = HMAC(finished_key, Transcript-Hash(ClientHello..Alice's Finished"
    "Bob -> Alice  Finished (RFC 8446 4.4.4): verify_data = "
    'resumption_master_secret = Derive-Secret(master_secret, "res master", ClientHello..client Finished)'
    "E_B (application keys) = key + IV from client_application_traffic_secret_0"
    "one AEAD seal with E_B (application keys)"
)

# ------------------------------------------------------------ demo --tls13
rm -f "$WORK/demo13.keylog"
SSLKEYLOGFILE=$WORK/demo13.keylog lt_run demo13 30 - "$LUCIDTLS" demo --tls13
lt_expect_rc "demo --tls13: exits 0" 0
lt_expect_contains "demo --tls13: the end" "$LAST_OUT" "The end."
lt_expect_contains "demo --tls13: over TLS 1.3" "$LAST_OUT" "Protocol: TLSv1.3"
expect_in_order "demo --tls13" "$LAST_OUT" "${STORY13_BOB[@]}" \
    "5. Bob's MAC over the handshake, second; the application keys" \
    "Bob writes: \"Hello Alice, this is Bob.\""
expect_in_order "demo --tls13, Alice's side" "$LAST_OUT" \
    "[Alice] Version (supported_versions, RFC 8446 4.2.1): TLS 1.3 (0x0304) -- the highest version" \
    "[Alice] Alice chose TLS_AES_128_GCM_SHA256 (RFC 8446 4.1.1): AES-128-GCM, an AEAD, protects every record" \
    "the suite no longer says how keys are exchanged or what signs" \
    "[Alice] Group for the (EC)DHE key exchange (RFC 8446 4.2.7): x25519 -- first group in her preference list" \
    "[Alice] Signature scheme for her CertificateVerify (RFC 8446 4.2.3): rsa_pss_rsae_sha256 -- first scheme" \
    "[Alice] Alice takes Bob's x25519 key share (RFC 8446 4.2.8)" \
    "[Alice] Alice combines her ephemeral x25519 private key with Bob's key_share (ECDH)" \
    "it plays the pre-master secret's part: TLS 1.3 has no RSA key transport" \
    "Forward secrecy, always" \
    "[Alice] The KDF is the HKDF key schedule (RFC 8446 7.1)" \
    "[Alice] E_A (handshake keys) = key + IV from server_handshake_traffic_secret" \
    "[Alice] Alice -> Bob  Certificate (RFC 8446 4.4.2)" \
    "[Alice] Alice -> Bob  CertificateVerify (RFC 8446 4.4.3): she signs, with her certificate's private key (rsa_pss_rsae_sha256): 64 spaces, \"TLS 1.3, server CertificateVerify\", 0, Transcript-Hash(ClientHello..Certificate)" \
    "[Alice] Alice's Finished (RFC 8446 4.4.4)" \
    "[Bob]   Bob checks the signature with the public key in Alice's certificate (rsa_pss_rsae_sha256): ok" \
    "[Bob]   Bob compares Alice's verify_data with his own: they match" \
    "[Bob]   Bob's Finished (RFC 8446 4.4.4)" \
    "[Alice] Alice compares Bob's verify_data with her own: they match" \
    "[Alice] Alice -> Bob  NewSessionTicket (RFC 8446 4.6.1)"
expect_before "demo --tls13: Alice's Finished is told before Bob's" "$LAST_OUT" \
    "Alice -> Bob  Finished (RFC 8446 4.4.4)" "Bob -> Alice  Finished (RFC 8446 4.4.4)"
expect_no_tls12_story "demo --tls13" "$LAST_OUT"
expect_keylog_hidden "demo --tls13 hides every secret of the key log" "$LAST_OUT" "$WORK/demo13.keylog"
expect_no_match "demo --tls13: no secret value on a secret, key or IV line" "$LAST_OUT" "$SECRET13_RE"
lt_expect_contains "demo --tls13: the hint names --tls13" "$LAST_OUT" "lucidtls demo --tls13 --show-secrets"

rm -f "$WORK/demo13s.keylog"
SSLKEYLOGFILE=$WORK/demo13s.keylog lt_run demo13s 30 - "$LUCIDTLS" demo --tls13 --show-secrets
lt_expect_rc "demo --tls13 --show-secrets: exits 0" 0
expect_keylog_shown "demo --tls13 --show-secrets shows every secret of the key log" "$LAST_OUT" "$WORK/demo13s.keylog"
expect_same_shared "demo --tls13 --show-secrets: Bob's and Alice's x25519 shared secrets, 32 bytes, equal" "$LAST_OUT"
lt_expect_match "demo --tls13 --show-secrets: the keys in full" "$LAST_OUT" 'E_B key = [0-9a-f]{32}, IV = [0-9a-f]{24}$'

lt_run demo13x 30 - "$LUCIDTLS" demo --tls13 --hrr --resume --key-update
lt_expect_rc "demo --tls13 --hrr --resume --key-update: exits 0" 0
lt_expect_contains "demo --hrr --resume: the second conversation resumed" "$LAST_OUT" "Resumed: yes"
expect_in_order "demo --tls13 --hrr --resume --key-update" "$LAST_OUT" \
    "key_share (RFC 8446 4.2.8): already a fresh secp256r1 public key" \
    "SHA-256(\"HelloRetryRequest\"): she asks for a key share for x25519" \
    "message_hash, RFC 8446 4.4.1" \
    "Bob -> Alice  ClientHello, again (RFC 8446 4.1.2): the same offer and the same nonce, now with a key share for x25519, and Alice's cookie echoed" \
    "Alice -> Bob  ServerHello (RFC 8446 4.1.3)" \
    "Bob -> Alice  KeyUpdate (RFC 8446 4.6.3, update_requested)" \
    "client_application_traffic_secret_1 = HKDF-Expand-Label(client_application_traffic_secret_0, \"traffic upd\"" \
    "E_B (application keys, generation 1)" \
    "Alice -> Bob  KeyUpdate (RFC 8446 4.6.3, update_not_requested)" \
    "E_A (application keys, generation 1)" \
    "Resumed: no" \
    "=== Later, Bob comes back to Alice with her ticket ===" \
    "Bob offers the ticket from last time (pre_shared_key, RFC 8446 4.2.11)" \
    "Bob offers the ticket again, with a new binder" \
    "Resumption (RFC 8446 2.2): Bob's ticket is ours" \
    "pre_shared_key: she takes Bob's ticket" \
    "resumed with psk_dhe_ke" \
    "Early Secret = HKDF-Extract(salt = 0, IKM = the PSK of Bob's ticket): the keys that came from the ticket" \
    "4. Alice's flight: no certificate, the ticket's PSK vouches for her" \
    "with no certificate this time, this is what shows Alice is the Alice of the ticket" \
    "Resumed: yes"
lt_expect_eq "demo --resume: Alice's certificate is sent once, in the first conversation" \
    "$(grep -cF "Certificate (RFC 8446 4.4.2)" "$LAST_OUT")" 1

for bad in "--hrr" "--resume" "--key-update" "--tls13 --kx ecdhe" "--kx rsa --tls13" "--tls13 --tls12"; do
    # shellcheck disable=SC2086  # the words are the arguments
    lt_run "demo-bad13" 10 - "$LUCIDTLS" demo $bad
    lt_expect_rc "demo $bad: usage error" 2
    lt_expect_contains "demo $bad: the usage names --tls13" "$LAST_ERR" \
        "lucidtls demo --tls13 [--hrr] [--resume] [--key-update] [--show-secrets]"
done

# ------------------------------------------------------------ client --explain against s_server -tls1_3
# One s_server that takes only x25519, for three clients: a full handshake;
# P-256 first (a HelloRetryRequest), keeping the ticket; the ticket again
# (resumption) with a KeyUpdate.
rm -f "$WORK/cl13.keylog"
if lt_start_openssl_server cl13 -tls1_3 -cert "$PKI/chain.pem" -key "$PKI/server.key" -naccept 3 -rev \
    -groups X25519 -keylogfile "$WORK/cl13.keylog"; then
    # client13 NAME [CLIENT ARGS...]
    client13() {
        local name=$1 tok
        shift
        tok=$(lt_token "$name")
        lt_session "$name" 10 "$tok\n" "$(lt_reverse "$tok")" "$LUCIDTLS" client "127.0.0.1:$(lt_port cl13)" \
            --cafile "$CA" --servername localhost --explain "$@"
        lt_expect_rc "[$name] client --explain $*: exits 0" 0
        lt_expect_contains "[$name] data both ways" "$LAST_OUT" "$(lt_reverse "$tok")"
    }
    client13 cl13-full
    cp "$LAST_ERR" "$WORK/cl13-full.story"
    client13 cl13-hrr --groups P-256:x25519 --sess-out "$WORK/cl13.sess"
    cp "$LAST_ERR" "$WORK/cl13-hrr.story"
    client13 cl13-res --sess-in "$WORK/cl13.sess" --key-update --show-secrets
    cp "$LAST_ERR" "$WORK/cl13-res.story"
    lt_wait_exit cl13

    F=$WORK/cl13-full.story
    expect_in_order "[cl13-full]" "$F" "${STORY13_BOB[@]}" "${STORY13_CLIENT_REST[@]}"
    lt_expect_contains "[cl13-full] Alice's choice of suite" "$F" \
        "Alice chose TLS_AES_128_GCM_SHA256 (RFC 8446 4.1.1): AES-128-GCM, an AEAD"
    lt_expect_contains "[cl13-full] the group of his key share" "$F" \
        "Group for the (EC)DHE key exchange (RFC 8446 4.2.8): x25519 -- the group of his key share that Alice took"
    lt_expect_contains "[cl13-full] the TLS 1.3 phase 3 header" "$F" "3. Keys: the HKDF key schedule, and the handshake keys"
    lt_expect_contains "[cl13-full] the TLS 1.3 phase 4 header" "$F" \
        "4. Alice proves who she is, and sends her MAC over the handshake first"
    expect_no_tls12_story "[cl13-full]" "$F"
    lt_expect_not_contains "[cl13-full] no HelloRetryRequest" "$F" "HelloRetryRequest (RFC 8446 4.1.4)"
    expect_keylog_hidden "[cl13-full] hides every secret s_server logged" "$F" "$WORK/cl13.keylog"
    expect_no_match "[cl13-full] no secret value on a secret, key or IV line" "$F" "$SECRET13_RE"
    lt_expect_contains "[cl13-full] the shared secret is hidden" "$F" "(EC)DHE shared secret = (hidden: 32 bytes"

    F=$WORK/cl13-hrr.story
    expect_in_order "[cl13-hrr]" "$F" \
        "key_share (RFC 8446 4.2.8): already a fresh secp256r1 public key" \
        "Alice -> Bob  HelloRetryRequest (RFC 8446 4.1.4): not her hello yet" \
        "she asks for a key share for x25519" \
        "ChangeCipherSpec (RFC 8446 D.4): a dummy, in the clear" \
        "Bob -> Alice  ClientHello, again (RFC 8446 4.1.2): the same offer and the same nonce, now with a key share for x25519" \
        "Alice -> Bob  ServerHello (RFC 8446 4.1.3)" \
        "Alice chose TLS_AES_128_GCM_SHA256 (RFC 8446 4.1.1)" \
        "Group for the (EC)DHE key exchange (RFC 8446 4.2.8): x25519 -- the group of his key share that Alice took" \
        "Bob combines his ephemeral x25519 private key" \
        "hash of message_hash(ClientHello1)..CertificateVerify" \
        "Bob compares Alice's verify_data with his own: they match"
    expect_keylog_hidden "[cl13-hrr] hides every secret s_server logged" "$F" "$WORK/cl13.keylog"

    F=$WORK/cl13-res.story
    lt_expect_contains "[cl13-res] resumed" "$F" "lucidtls: session resumed"
    expect_in_order "[cl13-res]" "$F" \
        "Bob -> Alice  ClientHello (RFC 8446 4.1.2)" \
        "pre_shared_key (RFC 8446 4.2.11): a ticket from an earlier session" \
        "Bob offers the ticket from last time (pre_shared_key, RFC 8446 4.2.11)" \
        "an HMAC over this ClientHello keyed from the ticket's PSK" \
        "pre_shared_key: she takes Bob's ticket" \
        "Resumption (RFC 8446 2.2): Alice took the ticket" \
        "resumed with psk_dhe_ke" \
        "Early Secret = HKDF-Extract(salt = 0, IKM = the PSK of Bob's ticket): the keys that came from the ticket" \
        "4. Alice's flight: no certificate, the ticket's PSK vouches for her" \
        "EncryptedExtensions (RFC 8446 4.3.1)" \
        "Bob computes what Alice's verify_data must be: HMAC(finished_key from server_handshake_traffic_secret, hash of ClientHello..EncryptedExtensions" \
        "with no certificate this time, this is what shows Alice is the Alice of the ticket" \
        "Bob -> Alice  KeyUpdate (RFC 8446 4.6.3, update_requested)" \
        "E_B (application keys, generation 1) = key + IV from client_application_traffic_secret_1" \
        "Alice -> Bob  KeyUpdate (RFC 8446 4.6.3, update_not_requested)" \
        "E_A (application keys, generation 1) = key + IV from server_application_traffic_secret_1"
    for s in "Certificate (RFC 8446 4.4.2)" "CertificateVerify (RFC 8446 4.4.3)" "Bob checks Alice's certificate"; do
        lt_expect_not_contains "[cl13-res] a resumed handshake has no: $s" "$F" "$s"
    done
    expect_keylog_shown "[cl13-res] --show-secrets shows every secret s_server logged for it" "$F" "$WORK/cl13.keylog"
    lt_expect_match "[cl13-res] --show-secrets shows the shared secret" "$F" '\(EC\)DHE shared secret = [0-9a-f]{64}$'
fi

# An s_server that asks for a client certificate: Bob answers with an empty
# one (RFC 8446 4.4.2), and his Finished covers it.
if lt_start_openssl_server cl13-cr -tls1_3 -cert "$PKI/chain.pem" -key "$PKI/server.key" -naccept 1 -rev -verify 1; then
    tok=$(lt_token cl13-cr)
    lt_session cl13-cr 10 "$tok\n" "$(lt_reverse "$tok")" "$LUCIDTLS" client "127.0.0.1:$(lt_port cl13-cr)" \
        --cafile "$CA" --servername localhost --explain
    lt_expect_rc "[cl13-cr] client --explain, asked for a certificate: exits 0" 0
    lt_wait_exit cl13-cr
    expect_in_order "[cl13-cr]" "$LAST_ERR" \
        "Alice -> Bob  CertificateRequest (RFC 8446 4.3.2): Alice asks for a client certificate; he has none to give, so he sends an empty Certificate" \
        "Alice -> Bob  Certificate (RFC 8446 4.4.2): her chain" \
        "Alice -> Bob  Finished (RFC 8446 4.4.4)" \
        "Bob -> Alice  Certificate (RFC 8446 4.4.2): empty: Bob has no certificate to give" \
        "Bob's Finished (RFC 8446 4.4.4): verify_data = HMAC(finished_key, Transcript-Hash(ClientHello..Bob's Certificate" \
        "Bob -> Alice  Finished (RFC 8446 4.4.4)"
fi

# ------------------------------------------------------------ server --explain against s_client -tls1_3
# One lucidtls server (with --key-update) for three s_clients: a full
# handshake keeping the ticket; P-256 first (a HelloRetryRequest); the ticket
# again (resumption).
S_CLIENT13=(openssl s_client -nocommands -tls1_3 -CAfile "$CA" -verify_return_error -servername localhost)
lt_start_lucidtls_server sv13 --cert "$PKI/chain.pem" --key "$PKI/server.key" --explain --key-update || lt_finish
rm -f "$WORK/sv13.keylog"
# server13 NAME N [S_CLIENT ARGS...]: the Nth connection; its story in $WORK/NAME.story.
server13() {
    local name=$1 nth=$2 tok next
    shift 2
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$tok" "${S_CLIENT13[@]}" -connect "127.0.0.1:$(lt_port sv13)" \
        -keylogfile "$WORK/sv13.keylog" "$@"
    lt_expect_rc "[$name] s_client $*: handshake" 0
    lt_expect_contains "[$name] echo" "$LAST_OUT" "$tok"
    # Until Alice has closed this one: each story stays whole.
    for _ in $(seq 1 50); do
        [ "$(grep -cF "Alice will send nothing more" "$(lt_server_err sv13)")" -ge "$nth" ] && break
        sleep 0.1
    done
    next=$((nth + 1))
    awk -v a="=== connection #$nth " -v b="=== connection #$next " \
        'index($0, a) { on = 1 } index($0, b) { on = 0 } on' "$(lt_server_err sv13)" >"$WORK/$name.story"
}
server13 sv13-full 1 -sess_out "$WORK/sv13.sess"
server13 sv13-hrr 2 -groups P-256:X25519
server13 sv13-res 3 -sess_in "$WORK/sv13.sess"
lt_stop_server sv13
for n in 1 2 3; do
    awk -v a="=== connection #$n " -v b="=== connection #$((n + 1)) " \
        'index($0, a) { on = 1 } index($0, b) { on = 0 } on' "$(lt_server_err sv13)" >"$WORK/sv13-$n.story"
done

F=$WORK/sv13-1.story
expect_in_order "[sv13-full]" "$F" \
    "Bob -> Alice  ClientHello (RFC 8446 4.1.2): Bob's nonce, client_random = " \
    "TLS 1.3 suites, an AEAD and a hash each (RFC 8446 B.4)" \
    "groups for the (EC)DHE key exchange (supported_groups, RFC 8446 4.2.7)" \
    "signature schemes he accepts from Alice (signature_algorithms, RFC 8446 4.2.3)" \
    "Version (supported_versions, RFC 8446 4.2.1): TLS 1.3 (0x0304) -- the highest version in Bob's supported_versions that she speaks" \
    "-- first TLS 1.3 suite in her preference list" \
    "Group for the (EC)DHE key exchange (RFC 8446 4.2.7): x25519 -- first group in her preference list that Bob supports" \
    "Signature scheme for her CertificateVerify (RFC 8446 4.2.3): rsa_pss_rsae_sha256 -- first scheme her key signs with in TLS 1.3" \
    "Alice takes Bob's x25519 key share (RFC 8446 4.2.8): his fresh public key, 32 bytes = " \
    "Alice -> Bob  ServerHello (RFC 8446 4.1.3): her nonce" \
    "2. The shared secret: (EC)DHE from the key shares, in the pre-master secret's place" \
    "Alice combines her ephemeral x25519 private key with Bob's key_share (ECDH)" \
    "it plays the pre-master secret's part: TLS 1.3 has no RSA key transport" \
    "(EC)DHE shared secret = (hidden: 32 bytes" \
    "Forward secrecy, always" \
    "The KDF is the HKDF key schedule (RFC 8446 7.1)" \
    "Early Secret = HKDF-Extract(salt = 0, IKM = 32 zero bytes): no PSK, a full handshake" \
    "Handshake Secret = HKDF-Extract(salt = Derive-Secret(Early Secret" \
    'client_handshake_traffic_secret = Derive-Secret(handshake_secret, "c hs traffic", ClientHello..ServerHello)' \
    "Alice -> Bob  ChangeCipherSpec (RFC 8446 D.4): a dummy, in the clear" \
    "E_A (handshake keys) = key + IV from server_handshake_traffic_secret" \
    "E_B (handshake keys) = key + IV from client_handshake_traffic_secret" \
    "Alice -> Bob  EncryptedExtensions (RFC 8446 4.3.1)" \
    "Alice -> Bob  Certificate (RFC 8446 4.4.2): her chain" \
    'Alice -> Bob  CertificateVerify (RFC 8446 4.4.3): she signs, with her certificate'"'"'s private key (rsa_pss_rsae_sha256): 64 spaces, "TLS 1.3, server CertificateVerify", 0, Transcript-Hash(ClientHello..Certificate)' \
    "why: it proves that Alice holds the private key of the certificate she just sent" \
    "The seed's steps 5 and 6 swap places: Alice's MAC over the handshake (her Finished) comes before Bob's" \
    "Alice's Finished (RFC 8446 4.4.4): verify_data = HMAC(finished_key, Transcript-Hash(ClientHello..CertificateVerify" \
    "Alice -> Bob  Finished (RFC 8446 4.4.4): verify_data = " \
    "Master Secret = HKDF-Extract" \
    "E_A (application keys) = key + IV from server_application_traffic_secret_0" \
    "Alice drops it unread" \
    "Alice computes what Bob's verify_data must be: HMAC(finished_key from client_handshake_traffic_secret" \
    "Bob -> Alice  Finished (RFC 8446 4.4.4): verify_data = " \
    "Alice compares Bob's verify_data with her own: they match" \
    'resumption_master_secret = Derive-Secret(master_secret, "res master", ClientHello..client Finished)' \
    "E_B (application keys) = key + IV from client_application_traffic_secret_0" \
    "Alice -> Bob  NewSessionTicket (RFC 8446 4.6.1)" \
    "Alice -> Bob  KeyUpdate (RFC 8446 4.6.3, update_requested)" \
    "E_A (application keys, generation 1) = key + IV from server_application_traffic_secret_1"
expect_no_tls12_story "[sv13-full]" "$F"
expect_keylog_hidden "[sv13] server --explain hides every secret s_client logged" "$(lt_server_err sv13)" \
    "$WORK/sv13.keylog"
expect_no_match "[sv13] no secret value on a secret, key or IV line" "$(lt_server_err sv13)" "$SECRET13_RE"

F=$WORK/sv13-2.story
expect_in_order "[sv13-hrr]" "$F" \
    "Group for the (EC)DHE key exchange (RFC 8446 4.2.7): x25519" \
    "HelloRetryRequest (RFC 8446 4.1.4): Bob sent no key share for the group Alice prefers" \
    "SHA-256(\"HelloRetryRequest\"): she asks for a key share for x25519" \
    "Bob -> Alice  ClientHello, again (RFC 8446 4.1.2)" \
    "Alice takes Bob's x25519 key share (RFC 8446 4.2.8)" \
    "Alice -> Bob  ServerHello (RFC 8446 4.1.3)" \
    "Alice combines her ephemeral x25519 private key" \
    "Alice compares Bob's verify_data with her own: they match"
lt_expect_eq "[sv13-hrr] Alice's choice of suite is told once, not again on ClientHello2" \
    "$(grep -cF "Alice chose TLS_AES_" "$F")" 1

F=$WORK/sv13-3.story
expect_in_order "[sv13-res]" "$F" \
    "pre_shared_key (RFC 8446 4.2.11): a ticket from an earlier session" \
    "Resumption (RFC 8446 2.2): Bob's ticket is ours, fresh, and his binder proves he holds its PSK" \
    "Alice -> Bob  ServerHello (RFC 8446 4.1.3)" \
    "resumed with psk_dhe_ke" \
    "Early Secret = HKDF-Extract(salt = 0, IKM = the PSK of Bob's ticket)" \
    "4. Alice's flight: no certificate, the ticket's PSK vouches for her" \
    "EncryptedExtensions and Finished (no certificate: the ticket's PSK vouches for her)" \
    "Alice's Finished (RFC 8446 4.4.4): verify_data = HMAC(finished_key, Transcript-Hash(ClientHello..EncryptedExtensions" \
    "Alice compares Bob's verify_data with her own: they match, so Bob has the same handshake traffic secret -- the same shared secret and the same PSK"
for s in "Certificate (RFC 8446 4.4.2)" "CertificateVerify (RFC 8446 4.4.3)" "Signature scheme for her CertificateVerify"; do
    lt_expect_not_contains "[sv13-res] a resumed handshake has no: $s" "$F" "$s"
done

lt_finish
