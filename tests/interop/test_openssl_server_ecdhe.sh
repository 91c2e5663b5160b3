#!/usr/bin/env bash
# `lucidtls client` against openssl s_server for ECDHE (RFC 8422), over loopback.
#
# Every ECDHE suite, chosen by the server (s_server -cipher X, with the RSA
# chain for ECDHE_RSA, the P-256 chain for ECDHE_ECDSA) and chosen by us
# (--ciphers X against an s_server with both certificates); data both ways
# (s_server -rev). Every group (s_server -groups X25519 / P-256 / P-384) with
# both kinds of certificate; every signature scheme (s_server -sigalgs X, one
# at a time; P-384 certificate for ecdsa_secp384r1_sha384), each checked in
# the ServerKeyExchange bytes s_server logs (-msg). Encrypt-then-MAC (RFC
# 7366): s_server answers it for CBC (and we use it), not with -no_etm (and
# we do MAC-then-encrypt), never for AEAD. --explain hides, and
# --show-secrets shows, the master secret of an ECDHE handshake.
#
# usage: test_openssl_server_ecdhe.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem

# serve NAME IDENT S_SERVER_ARGS... — a one-shot s_server -rev -msg with the
# IDENT (RSA, ECDSA, P384 or BOTH) identity.
serve() {
    local name=$1 ident=$2 certs
    shift 2
    if [ "$ident" = BOTH ]; then
        certs=(-cert "$PKI/chain.pem" -key "$PKI/server.key" -dcert "$PKI/chain-p256.pem" -dkey "$PKI/server-p256.key")
    else
        certs=(-cert "$(lt_chain_of "$ident")" -key "$(lt_key_of "$ident")")
    fi
    lt_start_openssl_server "$name" -tls1_2 -naccept 1 -rev -msg "${certs[@]}" "$@"
}

# client_ok NAME DESC [CLIENT_ARGS...] — our client against the server NAME:
# exit 0, the line came back reversed; waits for s_server to exit. Sets
# SALL (s_server's output), SH and SKE (the ServerHello and
# ServerKeyExchange it sent, as hex).
client_ok() {
    local name=$1 desc=$2 tok
    shift 2
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$(lt_reverse "$tok")" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "$name")" --cafile "$CA" --servername localhost "$@"
    lt_expect_rc "$desc: lucidtls client exits 0" 0
    lt_expect_file_eq "$desc: stdout is exactly the reversed line (data both ways)" "$LAST_OUT" "$(lt_reverse "$tok")"$'\n'
    lt_wait_exit "$name"
    SALL=$(lt_server_all "$name")
    SH=$(lt_msg_hex "$SALL" '>>>' ServerHello)
    SKE=$(lt_msg_hex "$SALL" '>>>' ServerKeyExchange)
}

# etm_check DESC OSSL — s_server answered encrypt_then_mac exactly for CBC.
etm_check() {
    if lt_is_cbc "$2"; then
        if lt_sh_has_ext "$SH" 0016; then
            lt_pass "$1: CBC: s_server answered encrypt_then_mac (RFC 7366 2)"
        else
            lt_fail "$1: CBC: s_server answered encrypt_then_mac (RFC 7366 2)" "extension 0x0016 in the ServerHello" \
                "extensions: $(lt_sh_extensions "$SH" | tr '\n' ' ')"
        fi
    elif lt_sh_has_ext "$SH" 0016; then
        lt_fail "$1: AEAD: no encrypt_then_mac" "no extension 0x0016 in the ServerHello" "it is there"
    else
        lt_pass "$1: AEAD: no encrypt_then_mac (RFC 7366 2)"
    fi
}

# ------------------------------------------------------------ every ECDHE suite, chosen by s_server
while read -r iana ossl auth; do
    serve "srv-$ossl" "$auth" -cipher "$ossl" || continue
    client_ok "srv-$ossl" "[$iana] s_server -cipher"
    lt_expect_contains "[$iana] s_server: suite $ossl" "$SALL" "Ciphersuite: $ossl"
    lt_expect_contains "[$iana] s_server: protocol TLSv1.2" "$SALL" "Protocol version: TLSv1.2"
    lt_expect_eq "[$iana] ECDHE on x25519 (our first group)" "${LT_GROUP_CODE[X25519]}" "$(lt_ske_group "$SKE")"
    lt_expect_contains "[$iana] s_server saw a clean close" "$SALL" "CONNECTION CLOSED"
    etm_check "[$iana]" "$ossl"
done <<<"$LT_ECDHE_SUITES"

# ------------------------------------------------------------ every ECDHE suite, chosen by us
# s_server has both certificates (-cert RSA, -dcert ECDSA) and every suite;
# --ciphers X makes X the only offer. Our default first choice comes first.
serve both-default BOTH || lt_finish
client_ok both-default "s_server with both certificates, our defaults"
lt_expect_contains "our defaults: our first choice, ECDHE-ECDSA-AES128-GCM-SHA256" "$SALL" \
    "Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256"
while read -r iana ossl auth; do
    serve "cl-$ossl" BOTH || continue
    client_ok "cl-$ossl" "[$iana] --ciphers" --ciphers "$iana"
    lt_expect_contains "[$iana] --ciphers $iana: s_server used $ossl" "$SALL" "Ciphersuite: $ossl"
    etm_check "[$iana] --ciphers" "$ossl"
done <<<"$LT_ECDHE_SUITES"

# The P-384 certificate, with the suites of both hashes.
for ossl in ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-AES128-SHA256; do
    serve "p384-$ossl" P384 -cipher "$ossl" || continue
    client_ok "p384-$ossl" "[$ossl] P-384 certificate"
    lt_expect_contains "[$ossl] P-384 certificate: s_server used $ossl" "$SALL" "Ciphersuite: $ossl"
done

# ------------------------------------------------------------ every group
for group in X25519 P-256 P-384; do
    for ident in RSA ECDSA; do
        serve "grp-$group-$ident" "$ident" -groups "$group" || continue
        client_ok "grp-$group-$ident" "s_server -groups $group ($ident)"
        lt_expect_eq "s_server -groups $group ($ident): named curve in the ServerKeyExchange" \
            "${LT_GROUP_CODE[$group]}" "$(lt_ske_group "$SKE")"
        lt_expect_match "s_server -groups $group ($ident): an ECDHE_$ident suite" "$SALL" "^Ciphersuite: ECDHE-$ident-"
    done
done
serve grp-P-384-P384 P384 -groups P-384 || lt_finish
client_ok grp-P-384-P384 "s_server -groups P-384 (P-384 certificate)"
lt_expect_eq "s_server -groups P-384 (P-384 certificate): secp384r1" "${LT_GROUP_CODE[P-384]}" "$(lt_ske_group "$SKE")"

# No group in common (P-521 only): s_server falls back to RSA key transport,
# the first such suite we offer.
serve grp-P-521 RSA -groups P-521 || lt_finish
client_ok grp-P-521 "s_server -groups P-521 (RSA)"
lt_expect_contains "s_server -groups P-521: RSA key transport, our first" "$SALL" "Ciphersuite: AES128-GCM-SHA256"
lt_expect_eq "s_server -groups P-521: no ServerKeyExchange" "" "$SKE"

# ------------------------------------------------------------ every signature scheme
# sigcase SCHEME IDENT — s_server may sign with SCHEME only.
sigcase() {
    local scheme=$1 ident=$2
    serve "sig-$scheme-$ident" "$ident" -sigalgs "$scheme" || return 0
    client_ok "sig-$scheme-$ident" "s_server -sigalgs $scheme ($ident)"
    lt_expect_eq "s_server -sigalgs $scheme ($ident): the scheme in the ServerKeyExchange" \
        "${LT_SIGALG_CODE[$scheme]}" "$(lt_ske_sigalg "$SKE")"
    lt_expect_match "s_server -sigalgs $scheme ($ident): an ECDHE suite" "$SALL" "^Ciphersuite: ECDHE-"
}
for scheme in rsa_pkcs1_sha256 rsa_pkcs1_sha384 rsa_pkcs1_sha512 rsa_pss_rsae_sha256 rsa_pss_rsae_sha384 \
    rsa_pss_rsae_sha512; do
    sigcase "$scheme" RSA
done
sigcase ecdsa_secp256r1_sha256 ECDSA
sigcase ecdsa_secp384r1_sha384 P384
# TLS 1.2 does not tie an ECDSA scheme to a curve (RFC 8446 4.2.3; RFC 8422
# 5.10): a P-384 key signing with SHA-256 is valid.
sigcase ecdsa_secp256r1_sha256 P384

# No scheme both accept: s_server cannot sign (OpenSSL: "no shared signature
# algorithms") and says handshake_failure; we fail with one line.
serve sig-pss-pss RSA -sigalgs rsa_pss_pss_sha256 || lt_finish
lt_session sig-pss-pss 10 "x\n" "" "$LUCIDTLS" client "127.0.0.1:$(lt_port sig-pss-pss)" --cafile "$CA" \
    --servername localhost
lt_expect_rc "s_server -sigalgs rsa_pss_pss_sha256 (which we do not offer): client fails" nonzero
lt_expect_contains "s_server -sigalgs rsa_pss_pss_sha256: reports the server's handshake_failure" "$LAST_ERR" \
    "handshake_failure"
lt_expect_one_line "s_server -sigalgs rsa_pss_pss_sha256"
lt_wait_exit sig-pss-pss

# ------------------------------------------------------------ encrypt-then-MAC with and without -no_etm
for ossl in ECDHE-RSA-AES128-SHA ECDHE-ECDSA-AES256-SHA384 AES256-SHA; do
    ident=RSA
    [ "${ossl#ECDHE-ECDSA}" != "$ossl" ] && ident=ECDSA
    serve "etm-$ossl" "$ident" -cipher "$ossl" || continue
    client_ok "etm-$ossl" "[$ossl] s_server with EtM" --explain
    etm_check "[$ossl] s_server with EtM" "$ossl"
    lt_expect_contains "[$ossl] s_server with EtM: we protect records with encrypt-then-MAC" "$LAST_ERR" \
        "(encrypt-then-MAC))"
    serve "noetm-$ossl" "$ident" -cipher "$ossl" -no_etm || continue
    client_ok "noetm-$ossl" "[$ossl] s_server -no_etm" --explain
    if lt_sh_has_ext "$SH" 0016; then
        lt_fail "[$ossl] s_server -no_etm: no encrypt_then_mac in its ServerHello" "no extension 0x0016" "it is there"
    else
        lt_pass "[$ossl] s_server -no_etm: no encrypt_then_mac in its ServerHello"
    fi
    lt_expect_contains "[$ossl] s_server -no_etm: we fall back to MAC-then-encrypt" "$LAST_ERR" "(MAC-then-encrypt))"
    lt_expect_contains "[$ossl] s_server -no_etm: suite $ossl" "$SALL" "Ciphersuite: $ossl"
done
serve etm-gcm RSA -cipher ECDHE-RSA-AES256-GCM-SHA384 || lt_finish
client_ok etm-gcm "[ECDHE-RSA-AES256-GCM-SHA384] EtM offered" --explain
etm_check "[ECDHE-RSA-AES256-GCM-SHA384]" ECDHE-RSA-AES256-GCM-SHA384
lt_expect_not_contains "[ECDHE-RSA-AES256-GCM-SHA384]: no encrypt-then-MAC on our records" "$LAST_ERR" "encrypt-then-MAC))"

# ------------------------------------------------------------ --explain / --show-secrets, ECDHE
for mode in hidden shown; do
    extra=()
    [ "$mode" = shown ] && extra=(--show-secrets)
    rm -f "$WORK/keylog-$mode.txt"
    serve "explain-$mode" ECDSA -cipher ECDHE-ECDSA-CHACHA20-POLY1305 -keylogfile "$WORK/keylog-$mode.txt" || continue
    client_ok "explain-$mode" "--explain ${extra[*]} (ECDHE_ECDSA)" --explain "${extra[@]}"
    lt_expect_contains "--explain ${extra[*]} (ECDHE): narrates the ServerKeyExchange" "$LAST_ERR" "ServerKeyExchange"
    ms=$(awk '$1 == "CLIENT_RANDOM" { print $3 }' "$WORK/keylog-$mode.txt" 2>/dev/null | tail -n 1)
    if [ "$mode" = hidden ]; then
        lt_expect_secret_hidden "--explain alone (ECDHE): never prints the master secret" "$LAST_ALL" "$ms"
    else
        lt_expect_secret_shown "--explain --show-secrets (ECDHE): prints the master secret OpenSSL logged" "$LAST_ALL" "$ms"
    fi
done

lt_finish
