#!/usr/bin/env bash
# openssl s_client against `lucidtls server` for ECDHE (RFC 8422), over loopback.
#
# Every ECDHE suite (ECDHE_RSA with the RSA chain, ECDHE_ECDSA with the P-256
# chain), data both ways; every group (s_client -groups X25519 / P-256 /
# P-384) with both kinds of certificate; every signature scheme, one at a
# time (s_client -sigalgs X; "Peer signature type"/"Peer signing digest" and
# the scheme in the ServerKeyExchange bytes), P-384 for
# ecdsa_secp384r1_sha384; what happens when no group or no scheme fits
# (RSA key transport if offered, else handshake_failure). Encrypt-then-MAC
# (RFC 7366): answered for every CBC suite and for no AEAD one
# (-tlsextdebug), and -no_etm still works. A server with both identities
# (--cert/--key twice) gives an ECDSA-only client the ECDSA certificate and an
# RSA-only client the RSA one. TLS_FALLBACK_SCSV (RFC 7507): a TLS 1.2
# fallback ClientHello is refused by our default servers (they speak TLS 1.3)
# and served by --tls1_2 ones. curl's defaults (capped at TLS 1.2) against an
# ECDSA and a two-identity --www server. --explain hides the secrets of an
# ECDHE handshake.
#
# usage: test_openssl_client_ecdhe.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem
S_CLIENT=(openssl s_client -nocommands -tls1_2 -CAfile "$CA" -verify_return_error -servername localhost
    -verify_hostname localhost)

lt_start_lucidtls_server rsa --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
lt_start_lucidtls_server ecdsa --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
lt_start_lucidtls_server p384 --cert "$PKI/chain-p384.pem" --key "$PKI/server-p384.key" || lt_finish
declare -A PORT_OF=([RSA]=$(lt_port rsa) [ECDSA]=$(lt_port ecdsa) [P384]=$(lt_port p384))
declare -A KEYBITS_OF=([RSA]=2048 [ECDSA]=256 [P384]=384)
declare -A SIGTYPE_OF=([RSA]='RSA(-PSS)?' [ECDSA]=ECDSA [P384]=ECDSA)

# echo_ok NAME DESC IDENT S_CLIENT_ARGS... — a session with a fresh line
# against the IDENT server: exit 0 and the line echoed back.
echo_ok() {
    local name=$1 desc=$2 ident=$3 tok
    shift 3
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$tok" "${S_CLIENT[@]}" -connect "127.0.0.1:${PORT_OF[$ident]}" "$@"
    lt_expect_rc "$desc: s_client handshake + clean close" 0
    lt_expect_contains "$desc: line echoed back (data both ways)" "$LAST_OUT" "$tok"
}

# refused NAME DESC IDENT S_CLIENT_ARGS... — the handshake fails with our
# handshake_failure alert.
refused() {
    local name=$1 desc=$2 ident=$3
    shift 3
    lt_session "$name" 10 "x\n" "" "${S_CLIENT[@]}" -connect "127.0.0.1:${PORT_OF[$ident]}" "$@"
    lt_expect_rc "$desc: s_client fails" nonzero
    lt_expect_match "$desc: handshake_failure (40) from the server" "$LAST_ALL" 'alert handshake failure|alert number 40'
}

# ------------------------------------------------------------ every ECDHE suite
EXT_ETM='TLS server extension "encrypt-then-mac" (id=22)'
while read -r iana ossl auth; do
    echo_ok "s-$ossl" "[$iana]" "$auth" -cipher "$ossl" -tlsextdebug
    lt_expect_contains "[$iana] s_client negotiated $ossl" "$LAST_OUT" "Cipher is $ossl"
    lt_expect_contains "[$iana] protocol TLSv1.2" "$LAST_OUT" "Protocol  : TLSv1.2"
    lt_expect_contains "[$iana] certificate chain verified" "$LAST_OUT" "Verify return code: 0 (ok)"
    lt_expect_contains "[$iana] the $auth certificate" "$LAST_OUT" "Server public key is ${KEYBITS_OF[$auth]} bit"
    lt_expect_match "[$iana] ServerKeyExchange signed with $auth" "$LAST_OUT" "^Peer signature type: ${SIGTYPE_OF[$auth]}\$"
    lt_expect_contains "[$iana] ECDHE on x25519, the first group of both" "$LAST_OUT" "Server Temp Key: X25519, 253 bits"
    lt_expect_contains "[$iana] extended master secret (RFC 7627)" "$LAST_OUT" "Extended master secret: yes"
    lt_expect_contains "[$iana] secure renegotiation (RFC 5746)" "$LAST_OUT" "Secure Renegotiation IS supported"
    if lt_is_cbc "$ossl"; then
        lt_expect_contains "[$iana] CBC: encrypt_then_mac answered (RFC 7366 2)" "$LAST_OUT" "$EXT_ETM"
    else
        lt_expect_not_contains "[$iana] AEAD: encrypt_then_mac not answered (RFC 7366 2)" "$LAST_OUT" "$EXT_ETM"
    fi
done <<<"$LT_ECDHE_SUITES"

# Bulk data: records fragmented at 2^14 and reassembled, both directions,
# with ChaCha20-Poly1305 and with CBC under encrypt-then-MAC.
big=$(head -c 45000 /dev/urandom | base64 -w0 | head -c 60000)
for sp in RSA:ECDHE-RSA-CHACHA20-POLY1305 ECDSA:ECDHE-ECDSA-AES256-SHA384 RSA:ECDHE-RSA-AES128-SHA; do
    lt_session "bulk-${sp#*:}" 15 "$big\n" "$big" "${S_CLIENT[@]}" -connect "127.0.0.1:${PORT_OF[${sp%%:*}]}" \
        -cipher "${sp#*:}"
    lt_expect_rc "[${sp#*:}] 60000-byte line: clean close" 0
    lt_expect_contains "[${sp#*:}] 60000-byte line echoed intact" "$LAST_OUT" "$big"
done

# ------------------------------------------------------------ encrypt-then-MAC refused by the client
# -no_etm: the client does not offer it, the server must not answer it, and
# MAC-then-encrypt CBC (RFC 5246 6.2.3.2) works.
for sp in RSA:ECDHE-RSA-AES128-SHA ECDSA:ECDHE-ECDSA-AES256-SHA384 RSA:AES128-SHA256; do
    ossl=${sp#*:}
    echo_ok "noetm-$ossl" "-no_etm [$ossl]" "${sp%%:*}" -cipher "$ossl" -no_etm -tlsextdebug
    lt_expect_contains "-no_etm [$ossl]: negotiated" "$LAST_OUT" "Cipher is $ossl"
    lt_expect_not_contains "-no_etm [$ossl]: no encrypt_then_mac in the ServerHello" "$LAST_OUT" "$EXT_ETM"
done
# The same for RSA key transport with EtM offered: answered too.
echo_ok "etm-AES256-SHA" "EtM [AES256-SHA]" RSA -cipher AES256-SHA -tlsextdebug
lt_expect_contains "EtM [AES256-SHA] (RSA key transport): encrypt_then_mac answered" "$LAST_OUT" "$EXT_ETM"

# ------------------------------------------------------------ every group
declare -A TEMPKEY_OF=([X25519]="X25519, 253 bits" [P-256]="ECDH, prime256v1, 256 bits" [P-384]="ECDH, secp384r1, 384 bits")
# An ECDSA certificate's curve must be one the client lists too (RFC 8422
# 5.3; OpenSSL checks it: "wrong curve"), so the ECDSA cases list it: P-256
# after X25519 (the server's first, for the ECDHE key), and the P-384 group
# against the P-384 certificate.
# groupcase GROUP IDENT GROUPS_OFFERED
groupcase() {
    local group=$1 ident=$2 offer=$3 kind=$2
    [ "$kind" = P384 ] && kind=ECDSA
    echo_ok "grp-$group-$ident" "-groups $offer ($ident)" "$ident" -groups "$offer" -msg
    lt_expect_contains "-groups $offer ($ident): ECDHE on $group" "$LAST_OUT" "Server Temp Key: ${TEMPKEY_OF[$group]}"
    lt_expect_eq "-groups $offer ($ident): named curve in the ServerKeyExchange" "${LT_GROUP_CODE[$group]}" \
        "$(lt_ske_group "$(lt_msg_hex "$LAST_OUT" '<<<' ServerKeyExchange)")"
    lt_expect_contains "-groups $offer ($ident): an ECDHE_$kind suite" "$LAST_OUT" "Cipher is ECDHE-$kind-"
}
groupcase X25519 RSA X25519
groupcase P-256 RSA P-256
groupcase P-384 RSA P-384
groupcase X25519 ECDSA X25519:P-256
groupcase P-256 ECDSA P-256
groupcase P-384 P384 P-384
# The server picks the group by its own order (x25519, P-256, P-384), not
# the client's.
groupcase P-256 RSA P-384:P-256

# No group in common (P-521 only): no ECDHE suite can be chosen (RFC 8422
# 5.1.1). With RSA key transport offered, the RSA server falls back to it;
# the ECDSA server has nothing left.
echo_ok "grp-P-521-RSA" "-groups P-521 (RSA)" RSA -groups P-521
lt_expect_contains "-groups P-521 (RSA): RSA key transport, the server's first" "$LAST_OUT" "Cipher is AES128-GCM-SHA256"
refused "grp-P-521-ECDSA" "-groups P-521 (ECDSA server)" ECDSA -groups P-521
refused "grp-P-521-RSA-ecdhe" "-groups P-521, ECDHE only (RSA server)" RSA -groups P-521 -cipher 'ECDHE:!aNULL'

# ------------------------------------------------------------ every signature scheme
# One scheme at a time, ECDHE only (RSA key transport signs nothing).
# sigcase SCHEME IDENT TYPE DIGEST
sigcase() {
    local scheme=$1 ident=$2 type=$3 digest=$4
    echo_ok "sig-$scheme" "-sigalgs $scheme" "$ident" -sigalgs "$scheme" -cipher 'ECDHE:!aNULL' -msg
    lt_expect_match "-sigalgs $scheme: Peer signature type $type" "$LAST_OUT" "^Peer signature type: $type\$"
    lt_expect_contains "-sigalgs $scheme: Peer signing digest $digest" "$LAST_OUT" "Peer signing digest: $digest"
    lt_expect_eq "-sigalgs $scheme: the scheme in the ServerKeyExchange" "${LT_SIGALG_CODE[$scheme]}" \
        "$(lt_ske_sigalg "$(lt_msg_hex "$LAST_OUT" '<<<' ServerKeyExchange)")"
    lt_expect_contains "-sigalgs $scheme: the $ident certificate" "$LAST_OUT" "Server public key is ${KEYBITS_OF[$ident]} bit"
}
sigcase rsa_pkcs1_sha256 RSA RSA SHA256
sigcase rsa_pkcs1_sha384 RSA RSA SHA384
sigcase rsa_pkcs1_sha512 RSA RSA SHA512
sigcase rsa_pss_rsae_sha256 RSA RSA-PSS SHA256
sigcase rsa_pss_rsae_sha384 RSA RSA-PSS SHA384
sigcase rsa_pss_rsae_sha512 RSA RSA-PSS SHA512
sigcase ecdsa_secp256r1_sha256 ECDSA ECDSA SHA256
sigcase ecdsa_secp384r1_sha384 P384 ECDSA SHA384

# Without -sigalgs, an ECDSA server signs with the hash of its curve.
for ident in ECDSA P384; do
    echo_ok "sig-default-$ident" "default sigalgs ($ident)" "$ident" -msg
    want=ecdsa_secp256r1_sha256
    [ "$ident" = P384 ] && want=ecdsa_secp384r1_sha384
    lt_expect_eq "default sigalgs ($ident): $want in the ServerKeyExchange" "${LT_SIGALG_CODE[$want]}" \
        "$(lt_ske_sigalg "$(lt_msg_hex "$LAST_OUT" '<<<' ServerKeyExchange)")"
done

# No scheme fits the key: rsa_pss_pss_* needs an RSASSA-PSS key, ECDSA
# schemes an EC key. With RSA key transport offered, the RSA server falls back
# to it; offered ECDHE only, the server refuses.
echo_ok "sig-pss-pss" "-sigalgs rsa_pss_pss_sha256 (RSA)" RSA -sigalgs rsa_pss_pss_sha256
lt_expect_contains "-sigalgs rsa_pss_pss_sha256: RSA key transport, which signs nothing" "$LAST_OUT" \
    "Cipher is AES128-GCM-SHA256"
refused "sig-pss-pss-ecdhe" "-sigalgs rsa_pss_pss_sha256, ECDHE only (RSA)" RSA -sigalgs rsa_pss_pss_sha256 -cipher 'ECDHE:!aNULL'
refused "sig-ecdsa-on-rsa" "-sigalgs ecdsa_secp256r1_sha256, ECDHE only (RSA)" RSA -sigalgs ecdsa_secp256r1_sha256 \
    -cipher 'ECDHE:!aNULL'
refused "sig-rsa-on-ecdsa" "-sigalgs rsa_pss_rsae_sha256 (ECDSA)" ECDSA -sigalgs rsa_pss_rsae_sha256:rsa_pkcs1_sha256
lt_expect_alive "RSA server still serving" rsa
lt_expect_alive "ECDSA server still serving" ecdsa
lt_expect_alive "P-384 server still serving" p384

# ------------------------------------------------------------ a server with both identities
lt_start_lucidtls_server both --cert "$PKI/chain.pem" --key "$PKI/server.key" \
    --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
PORT_OF[BOTH]=$(lt_port both)
# bothcase NAME DESC IDENT S_CLIENT_ARGS... — the IDENT certificate is the one served.
bothcase() {
    local name=$1 desc=$2 ident=$3
    shift 3
    echo_ok "both-$name" "two identities, $desc" BOTH "$@"
    lt_expect_contains "two identities, $desc: the $ident certificate" "$LAST_OUT" \
        "Server public key is ${KEYBITS_OF[$ident]} bit"
    lt_expect_contains "two identities, $desc: certificate chain verified" "$LAST_OUT" "Verify return code: 0 (ok)"
}
bothcase default "s_client's defaults" ECDSA
lt_expect_contains "two identities, s_client's defaults: our first choice" "$LAST_OUT" "Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"
bothcase aecdsa "ECDSA suites only" ECDSA -cipher aECDSA
lt_expect_contains "two identities, ECDSA suites only: signed with ECDSA" "$LAST_OUT" "Peer signature type: ECDSA"
bothcase ecdsa-sigalgs "ECDSA signatures only" ECDSA -sigalgs ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384
lt_expect_contains "two identities, ECDSA signatures only: an ECDHE_ECDSA suite" "$LAST_OUT" "Cipher is ECDHE-ECDSA-"
bothcase arsa "RSA suites only" RSA -cipher aRSA
lt_expect_contains "two identities, RSA suites only: ECDHE_RSA first" "$LAST_OUT" "Cipher is ECDHE-RSA-AES128-GCM-SHA256"
bothcase rsa-sigalgs "RSA signatures only" RSA -sigalgs rsa_pss_rsae_sha256:rsa_pkcs1_sha256
lt_expect_contains "two identities, RSA signatures only: an ECDHE_RSA suite" "$LAST_OUT" "Cipher is ECDHE-RSA-"
lt_expect_match "two identities, RSA signatures only: signed with RSA" "$LAST_OUT" '^Peer signature type: RSA(-PSS)?$'
bothcase rsakx "RSA key transport only" RSA -cipher AES256-GCM-SHA384
lt_expect_contains "two identities, RSA key transport only: the suite" "$LAST_OUT" "Cipher is AES256-GCM-SHA384"
# RFC 8422 5.3: the ECDSA certificate's curve (P-256) must be one the client
# lists. X25519 only: the two-identity server serves its RSA certificate, the
# ECDSA-only one has nothing acceptable.
bothcase x25519-only "groups X25519 only (our ECDSA key is P-256)" RSA -groups X25519
lt_expect_contains "two identities, groups X25519 only: an ECDHE_RSA suite" "$LAST_OUT" "Cipher is ECDHE-RSA-"
refused ecdsa-x25519-only "ECDSA-only server, groups X25519 only (ECDHE_ECDSA suites)" ECDSA -groups X25519 -cipher aECDSA
lt_expect_alive "two-identity server still serving" both

# ------------------------------------------------------------ TLS_FALLBACK_SCSV (RFC 7507)
# A client that says it fell back, at TLS 1.2. RFC 7507 3: a server that
# supports a higher version (our default servers speak TLS 1.3) answers
# inappropriate_fallback (86); a server whose highest version is TLS 1.2
# (--tls1_2) has nothing to object to.
for ident in RSA ECDSA BOTH; do
    lt_session "fallback13-$ident" 10 "x\n" "" "${S_CLIENT[@]}" -connect "127.0.0.1:${PORT_OF[$ident]}" -fallback_scsv
    lt_expect_rc "-fallback_scsv ($ident, server speaks TLS 1.3 too): refused" nonzero
    lt_expect_match "-fallback_scsv ($ident, server speaks TLS 1.3 too): inappropriate_fallback (86)" "$LAST_ALL" \
        'alert inappropriate fallback|alert number 86'
done
lt_start_lucidtls_server rsa12 --tls1_2 --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
lt_start_lucidtls_server ecdsa12 --tls1_2 --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
lt_start_lucidtls_server both12 --tls1_2 --cert "$PKI/chain.pem" --key "$PKI/server.key" \
    --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
PORT_OF[RSA12]=$(lt_port rsa12) PORT_OF[ECDSA12]=$(lt_port ecdsa12) PORT_OF[BOTH12]=$(lt_port both12)
for ident in RSA12 ECDSA12 BOTH12; do
    echo_ok "fallback-$ident" "-fallback_scsv (${ident%12}, server --tls1_2)" "$ident" -fallback_scsv
    lt_expect_contains "-fallback_scsv (${ident%12}, server --tls1_2): TLSv1.2" "$LAST_OUT" "Protocol  : TLSv1.2"
    lt_expect_not_contains "-fallback_scsv (${ident%12}, server --tls1_2): no inappropriate_fallback (86)" "$LAST_ALL" \
        "alert number 86"
done
echo_ok "fallback-rsakx" "-fallback_scsv, RSA key transport (server --tls1_2)" RSA12 -fallback_scsv -cipher AES128-SHA
lt_expect_contains "-fallback_scsv, RSA key transport: AES128-SHA" "$LAST_OUT" "Cipher is AES128-SHA"
for srv in rsa12 ecdsa12 both12; do
    lt_stop_server "$srv"
done

# ------------------------------------------------------------ curl's defaults (at most TLS 1.2), ECDSA and both identities
if command -v curl >/dev/null 2>&1; then
    lt_start_lucidtls_server www-ecdsa --www --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
    lt_start_lucidtls_server www-both --www --cert "$PKI/chain.pem" --key "$PKI/server.key" \
        --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
    for srv in www-ecdsa www-both; do
        port=$(lt_port "$srv")
        lt_run "curl-$srv" 15 - curl -sS -v --tls-max 1.2 --cacert "$CA" --resolve "localhost:$port:127.0.0.1" \
            "https://localhost:$port/"
        lt_expect_rc "curl (defaults, at most TLS 1.2) vs $srv" 0
        lt_expect_contains "curl vs $srv: ECDHE_ECDSA, our first choice" "$LAST_ERR" \
            "SSL connection using TLSv1.2 / ECDHE-ECDSA-AES128-GCM-SHA256"
        lt_expect_contains "curl vs $srv: the body names the suite" "$LAST_OUT" \
            "Cipher: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (ECDHE-ECDSA-AES128-GCM-SHA256)"
    done
    port=$(lt_port www-both)
    lt_run curl-both-rsa 15 - curl -sS --tls-max 1.2 --cacert "$CA" --resolve "localhost:$port:127.0.0.1" \
        --ciphers ECDHE-RSA-CHACHA20-POLY1305 "https://localhost:$port/"
    lt_expect_rc "curl --ciphers ECDHE-RSA-CHACHA20-POLY1305 vs www-both" 0
    lt_expect_contains "curl --ciphers ECDHE-RSA-CHACHA20-POLY1305: served with the RSA identity" "$LAST_OUT" \
        "Cipher: TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (ECDHE-RSA-CHACHA20-POLY1305)"
else
    lt_fail "curl is installed" "curl in PATH" "not found (run scripts/install_deps.sh)"
fi

# ------------------------------------------------------------ --explain hides the secrets of an ECDHE handshake
lt_start_lucidtls_server explain --explain --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
rm -f "$WORK/keylog.txt"
PORT_OF[EXPLAIN]=$(lt_port explain)
echo_ok explain "--explain server, ECDHE_ECDSA" EXPLAIN -cipher ECDHE-ECDSA-AES256-SHA -keylogfile "$WORK/keylog.txt"
sleep 0.3
all=$(lt_server_all explain)
lt_expect_contains "--explain server, ECDHE: narrates the ServerKeyExchange" "$all" "ServerKeyExchange"
ms=$(awk '$1 == "CLIENT_RANDOM" { print $3 }' "$WORK/keylog.txt" 2>/dev/null | tail -n 1)
lt_expect_secret_hidden "--explain server, ECDHE: the master secret stays hidden" "$all" "$ms"

lt_finish
