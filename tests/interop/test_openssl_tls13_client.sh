#!/usr/bin/env bash
# openssl s_client against `lucidtls server`, TLS 1.3 (RFC 8446), over loopback.
#
# Every suite x every group x every certificate (RSA, ECDSA P-256, ECDSA
# P-384), data both ways, checked in s_client's summary and in the
# ServerHello and CertificateVerify bytes it logs (-msg). A forced
# HelloRetryRequest (s_client shares X25519, the server takes P-256 only).
# Resumption with s_client -sess_out / -sess_in ("Reused, TLSv1.3", no
# Certificate, pre_shared_key), and a session from another server process
# (new ticket keys): a full handshake. KeyUpdate: s_client's K and k
# commands, and `lucidtls server --key-update`. A Certificate message of
# more than 16 KiB (ten intermediates). Plaintext handshake records cut into
# 1-byte records by a proxy (tests/interop/reframe_proxy.py), with and
# without a HelloRetryRequest. The key log (SSLKEYLOGFILE) against
# s_client's -keylogfile; --explain hides, --show-secrets shows, the
# secrets. Version negotiation: TLS 1.2 with s_client -tls1_2 and the
# downgrade sentinel in our random (RFC 8446 4.1.3); a --tls1_2 server talks
# TLS 1.2 to a TLS 1.3-capable s_client without the sentinel.
#
# usage: test_openssl_tls13_client.sh BUILD_DIR
# shellcheck disable=SC2317  # input generators are called through lt_run
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem
S_OPTS=(-CAfile "$CA" -verify_return_error -servername localhost -verify_hostname localhost)
S_CLIENT=(openssl s_client -nocommands "${S_OPTS[@]}")

lt_start_lucidtls_server rsa --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
lt_start_lucidtls_server ecdsa --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
lt_start_lucidtls_server p384 --cert "$PKI/chain-p384.pem" --key "$PKI/server-p384.key" || lt_finish
declare -A PORT_OF=([RSA]=$(lt_port rsa) [ECDSA]=$(lt_port ecdsa) [P384]=$(lt_port p384))
declare -A KEYBITS_OF=([RSA]=2048 [ECDSA]=256 [P384]=384)
# RFC 8446 4.2.3: RSA signs with RSASSA-PSS in TLS 1.3; an ECDSA scheme names
# its curve, so a P-384 key signs with ecdsa_secp384r1_sha384.
declare -A CV_OF=([RSA]='080[456]' [ECDSA]=0403 [P384]=0503)
declare -A TEMPKEY_OF=([X25519]="X25519, 253 bits" [P-256]="ECDH, prime256v1, 256 bits"
    [P-384]="ECDH, secp384r1, 384 bits")

# s13 NAME DESC PORT S_CLIENT_ARGS... — s_client sends a fresh line to the
# server on PORT: exit 0, the line echoed back. Its -msg log is MSG, the
# (first) ServerHello it received SH.
s13() {
    local name=$1 desc=$2 port=$3 tok
    shift 3
    tok=$(lt_token "$name")
    MSG=$WORK/$name.msg
    lt_session "$name" 10 "$tok\n" "$tok" "${S_CLIENT[@]}" -connect "127.0.0.1:$port" -msg -msgfile "$MSG" "$@"
    lt_expect_rc "$desc: s_client handshake + clean close" 0
    lt_expect_contains "$desc: line echoed back (data both ways)" "$LAST_OUT" "$tok"
    SH=$(lt_msg_hex "$MSG" '<<<' ServerHello)
}

# ------------------------------------------------------------ every suite, group and certificate
for ident in RSA ECDSA P384; do
    while read -r suite code; do
        for group in X25519 P-256 P-384; do
            d="[$suite, $group, $ident]"
            s13 "m-$suite-$group-$ident" "$d" "${PORT_OF[$ident]}" -tls1_3 -ciphersuites "$suite" -groups "$group"
            lt_expect_contains "$d: TLSv1.3 with $suite" "$LAST_OUT" "New, TLSv1.3, Cipher is $suite"
            lt_expect_contains "$d: session protocol TLSv1.3" "$LAST_OUT" "Protocol  : TLSv1.3"
            lt_expect_contains "$d: (EC)DHE on $group" "$LAST_OUT" "Server Temp Key: ${TEMPKEY_OF[$group]}"
            lt_expect_eq "$d: ServerHello key_share on $group" "${LT_GROUP_CODE[$group]}" "$(lt_sh13_group "$SH")"
            lt_expect_eq "$d: ServerHello supported_versions = TLS 1.3" 0304 "$(lt_sh_ext_data "$SH" 002b)"
            lt_expect_eq "$d: ServerHello cipher suite" "$code" "$(lt_sh_suite "$SH")"
            lt_expect_eq "$d: one ClientHello (no HelloRetryRequest)" 1 "$(lt_msg_count "$MSG" '>>>' ClientHello)"
            lt_expect_contains "$d: certificate chain verified" "$LAST_OUT" "Verify return code: 0 (ok)"
            lt_expect_contains "$d: the $ident certificate" "$LAST_OUT" "Server public key is ${KEYBITS_OF[$ident]} bit"
            lt_expect_re "$d: CertificateVerify scheme" "${CV_OF[$ident]}" \
                "$(lt_cv_scheme "$(lt_msg_hex "$MSG" '<<<' CertificateVerify)")"
        done
    done <<<"$LT_SUITES13"
done

# ------------------------------------------------------------ HelloRetryRequest
# s_client lists X25519 then P-256 and sends a key share for X25519 only; the
# server takes P-256 only: RFC 8446 4.1.4, a HelloRetryRequest for P-256,
# then a second ClientHello with a P-256 share.
lt_start_lucidtls_server p256only --cert "$PKI/chain.pem" --key "$PKI/server.key" --groups P-256 || lt_finish
d="HRR (s_client -groups X25519:P-256, server --groups P-256)"
s13 hrr "$d" "$(lt_port p256only)" -groups X25519:P-256
lt_expect_eq "$d: two ClientHellos" 2 "$(lt_msg_count "$MSG" '>>>' ClientHello)"
lt_expect_eq "$d: the first ServerHello is a HelloRetryRequest (RFC 8446 4.1.3 random)" "$LT_HRR_RANDOM" \
    "$(lt_sh_random "$SH")"
lt_expect_eq "$d: HelloRetryRequest asks for P-256" "${LT_GROUP_CODE[P-256]}" "$(lt_sh13_group "$SH")"
SH2=$(lt_msg_hex_nth "$MSG" '<<<' ServerHello 2)
lt_expect_eq "$d: the real ServerHello's key_share is P-256" "${LT_GROUP_CODE[P-256]}" "$(lt_sh13_group "$SH2")"
lt_expect_contains "$d: TLSv1.3" "$LAST_OUT" "New, TLSv1.3, Cipher is "
lt_expect_contains "$d: ECDHE on P-256" "$LAST_OUT" "Server Temp Key: ${TEMPKEY_OF[P-256]}"
# The same server with a P-256 share offered at once: no retry.
s13 hrr-none "server --groups P-256, s_client shares P-256" "$(lt_port p256only)" -groups P-256
lt_expect_eq "server --groups P-256, s_client shares P-256: one ClientHello" 1 "$(lt_msg_count "$MSG" '>>>' ClientHello)"

# ------------------------------------------------------------ resumption
rm -f "$WORK/sess.pem"
s13 res-full "resumption: first connection" "${PORT_OF[RSA]}" -tls1_3 -sess_out "$WORK/sess.pem"
lt_expect_contains "resumption: first connection is a full handshake" "$LAST_OUT" "New, TLSv1.3"
if [ -s "$WORK/sess.pem" ]; then
    lt_pass "resumption: s_client saved a session (-sess_out)"
else
    lt_fail "resumption: s_client saved a session (-sess_out)" "a non-empty $WORK/sess.pem" "none"
fi
d="resumption: -sess_in, same server"
s13 res-again "$d" "${PORT_OF[RSA]}" -tls1_3 -sess_in "$WORK/sess.pem"
lt_expect_contains "$d: s_client says Reused, TLSv1.3" "$LAST_OUT" "Reused, TLSv1.3"
lt_expect_eq "$d: no Certificate from the server" 0 "$(lt_msg_count "$MSG" '<<<' Certificate)"
lt_expect_eq "$d: ServerHello pre_shared_key selects identity 0 (RFC 8446 4.2.11)" 0000 "$(lt_sh_ext_data "$SH" 0029)"
lt_expect_eq "$d: psk_dhe_ke, the ServerHello has a key_share (RFC 8446 4.2.9)" "${LT_GROUP_CODE[X25519]}" \
    "$(lt_sh13_group "$SH")"
# A new server process has new ticket keys: it cannot open the ticket, and
# must fall back to a full handshake (RFC 8446 4.2.11), not fail.
lt_start_lucidtls_server rsa2 --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
d="resumption: -sess_in against another server process"
s13 res-other "$d" "$(lt_port rsa2)" -tls1_3 -sess_in "$WORK/sess.pem"
lt_expect_contains "$d: a full handshake (New, TLSv1.3)" "$LAST_OUT" "New, TLSv1.3"
lt_expect_eq "$d: the server sent its Certificate" 1 "$(lt_msg_count "$MSG" '<<<' Certificate)"
lt_expect_eq "$d: no pre_shared_key in the ServerHello" "" "$(lt_sh_ext_data "$SH" 0029)"
lt_stop_server rsa2

# ------------------------------------------------------------ KeyUpdate from s_client (K and k)
# s_client's commands: a line "K" sends KeyUpdate(update_requested), "k"
# KeyUpdate(update_not_requested). RFC 8446 4.6.3: we answer the first with
# update_not_requested, and not the second; data flows after both. Each line
# must arrive in its own read, hence the pauses. (No -nocommands here, and
# no line of data starts with K, k, Q or R.)
UP1=$(lt_token up1) UP2=$(lt_token up2) UP3=$(lt_token up3)
ku_input() {
    printf '%s\n' "$UP1"
    sleep 0.4
    printf 'K\n'
    sleep 0.4
    printf '%s\n' "$UP2"
    sleep 0.4
    printf 'k\n'
    sleep 0.4
    printf '%s\n' "$UP3"
    sleep 0.5
}
MSG=$WORK/ku-cmd.msg
lt_run ku-cmd 15 ku_input openssl s_client "${S_OPTS[@]}" -tls1_3 -connect "127.0.0.1:${PORT_OF[RSA]}" -msg -msgfile "$MSG"
lt_expect_rc "s_client K and k: exits 0" 0
lt_expect_contains "s_client K and k: data before the KeyUpdates echoed" "$LAST_OUT" "$UP1"
lt_expect_contains "s_client K and k: data after K echoed (both sides on new keys)" "$LAST_OUT" "$UP2"
lt_expect_contains "s_client K and k: data after k echoed" "$LAST_OUT" "$UP3"
lt_expect_eq "s_client K and k: s_client sent two KeyUpdates" 2 "$(lt_msg_count "$MSG" '>>>' KeyUpdate)"
lt_expect_eq "s_client K: update_requested" 1800000101 "$(lt_msg_hex_nth "$MSG" '>>>' KeyUpdate 1)"
lt_expect_eq "s_client k: update_not_requested" 1800000100 "$(lt_msg_hex_nth "$MSG" '>>>' KeyUpdate 2)"
lt_expect_eq "we answer K only: one KeyUpdate from the server" 1 "$(lt_msg_count "$MSG" '<<<' KeyUpdate)"
lt_expect_eq "our answer is update_not_requested (RFC 8446 4.6.3)" 1800000100 "$(lt_msg_hex "$MSG" '<<<' KeyUpdate)"
if lt_msg_answered_before_data "$MSG"; then
    lt_pass "our KeyUpdate answer comes before our next application data (RFC 8446 4.6.3)"
else
    lt_fail "our KeyUpdate answer comes before our next application data (RFC 8446 4.6.3)" \
        "'<<< ... KeyUpdate' before any received inner type 17 after s_client's K" "$(lt_excerpt "$MSG" 12)"
fi

# ------------------------------------------------------------ KeyUpdate from the server (--key-update)
lt_start_lucidtls_server ku --cert "$PKI/chain.pem" --key "$PKI/server.key" --key-update || lt_finish
SK1=$(lt_token sku1) SK2=$(lt_token sku2)
sku_input() {
    printf '%s\n' "$SK1"
    sleep 0.5
    printf '%s\n' "$SK2"
    sleep 0.5
}
MSG=$WORK/ku-srv.msg
lt_run ku-srv 15 sku_input "${S_CLIENT[@]}" -tls1_3 -connect "127.0.0.1:$(lt_port ku)" -msg -msgfile "$MSG"
lt_expect_rc "server --key-update: s_client exits 0" 0
lt_expect_contains "server --key-update: data echoed" "$LAST_OUT" "$SK1"
lt_expect_contains "server --key-update: data echoed after the update" "$LAST_OUT" "$SK2"
lt_expect_eq "server --key-update: one KeyUpdate from us" 1 "$(lt_msg_count "$MSG" '<<<' KeyUpdate)"
lt_expect_eq "server --key-update: ours is update_requested" 1800000101 "$(lt_msg_hex "$MSG" '<<<' KeyUpdate)"
lt_expect_eq "server --key-update: s_client answered update_not_requested" 1800000100 \
    "$(lt_msg_hex "$MSG" '>>>' KeyUpdate)"
lt_stop_server ku

# ------------------------------------------------------------ a Certificate message over 16 KiB
# Ten intermediates with a 2000-byte extension each: the Certificate (about
# 27 KB) spans two records at least (RFC 8446 5.1: 2^14 bytes of plaintext
# per record).
if lt_make_big_chain "$WORK/big" 10 2000; then
    lt_start_lucidtls_server big --cert "$WORK/big/chain.pem" --key "$WORK/big/leaf.key" || lt_finish
    d="11-certificate chain (leaf + 10 intermediates)"
    s13 big "$d" "$(lt_port big)" -tls1_3
    len=$(lt_msg_len_max "$MSG" '<<<' Certificate)
    if [ "$len" -gt 16384 ]; then
        lt_pass "$d: the Certificate message is $len bytes (> 16384: more than one record)"
    else
        lt_fail "$d: the Certificate message is over 16384 bytes" "> 16384" "$len"
    fi
    lt_expect_contains "$d: verified" "$LAST_OUT" "Verify return code: 0 (ok)"
    lt_expect_eq "$d: s_client lists 11 certificates" 11 "$(grep -cE '^ *[0-9]+ s:' "$LAST_OUT")"
    lt_stop_server big
else
    lt_fail "the big chain is made" "lt_make_big_chain succeeds" "it failed"
fi

# ------------------------------------------------------------ 1-byte handshake records
# The proxy cuts every plaintext handshake record (ClientHello, ServerHello,
# HelloRetryRequest) into 1-byte records, both ways; the encrypted records
# cannot be re-framed (their AEAD tag covers the header) and pass unchanged.
# The proxy's count of 1-byte records must equal the size of the messages.
# frag_case NAME DESC TARGET_PORT S_CLIENT_ARGS...
frag_case() {
    local name=$1 desc=$2 target=$3 want_c2s want_s2c i n h
    shift 3
    lt_start_reframe_proxy "$name" "$target" || return 0
    s13 "$name" "$desc" "$(lt_port "$name")" "$@"
    lt_expect_contains "$desc: TLSv1.3" "$LAST_OUT" "New, TLSv1.3"
    # The proxy reports a direction when it ends: wait for both, then stop it.
    lt_wait_for "$(lt_server_err "$name")" " c2s " 5
    lt_wait_for "$(lt_server_err "$name")" " s2c " 5
    lt_stop_server "$name"
    want_c2s=0 want_s2c=0
    n=$(lt_msg_count "$MSG" '>>>' ClientHello)
    for i in $(seq 1 "$n"); do
        h=$(lt_msg_hex_nth "$MSG" '>>>' ClientHello "$i")
        want_c2s=$((want_c2s + ${#h} / 2))
    done
    n=$(lt_msg_count "$MSG" '<<<' ServerHello)
    for i in $(seq 1 "$n"); do
        h=$(lt_msg_hex_nth "$MSG" '<<<' ServerHello "$i")
        want_s2c=$((want_s2c + ${#h} / 2))
    done
    lt_expect_eq "$desc: every ClientHello byte went in its own record" "$want_c2s" "$(lt_proxy_reframed "$name" c2s)"
    lt_expect_eq "$desc: every ServerHello byte went in its own record" "$want_s2c" "$(lt_proxy_reframed "$name" s2c)"
    lt_expect_eq "$desc: s_client received them as 1-byte records" "$want_s2c" "$(lt_msg_tiny_records "$MSG" '<<<')"
}
frag_case frag "1-byte handshake records" "${PORT_OF[RSA]}" -tls1_3
frag_case frag-hrr "1-byte handshake records, with a HelloRetryRequest" "$(lt_port p256only)" -groups X25519:P-256
lt_expect_eq "1-byte records with HRR: two ClientHellos" 2 "$(lt_msg_count "$MSG" '>>>' ClientHello)"

# ------------------------------------------------------------ SSLKEYLOGFILE
rm -f "$WORK/keylog-ours.txt" "$WORK/keylog-theirs.txt"
export SSLKEYLOGFILE=$WORK/keylog-ours.txt
lt_start_lucidtls_server keylog --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
unset SSLKEYLOGFILE
s13 keylog "server SSLKEYLOGFILE" "$(lt_port keylog)" -tls1_3 -keylogfile "$WORK/keylog-theirs.txt"
lt_expect_keylogs_agree "server SSLKEYLOGFILE vs s_client -keylogfile" "$WORK/keylog-ours.txt" "$WORK/keylog-theirs.txt"
lt_stop_server keylog

# ------------------------------------------------------------ --explain hides, --show-secrets shows
# With --key-update, so that OpenSSL's key log also has the updated
# secrets (CLIENT_TRAFFIC_SECRET_N, SERVER_TRAFFIC_SECRET_N): without
# --show-secrets none of its secrets may appear; with it, the five do.
for mode in hidden shown; do
    extra=()
    [ "$mode" = shown ] && extra=(--show-secrets)
    rm -f "$WORK/keylog-$mode.txt"
    lt_start_lucidtls_server "explain-$mode" --cert "$PKI/chain.pem" --key "$PKI/server.key" --key-update \
        --explain "${extra[@]}" || continue
    d="server --explain${extra[*]:+ ${extra[*]}}"
    s13 "explain-$mode" "$d" "$(lt_port "explain-$mode")" -tls1_3 -keylogfile "$WORK/keylog-$mode.txt"
    lt_stop_server "explain-$mode"
    all=$(lt_server_all "explain-$mode")
    lt_expect_contains "$d: narrates the ServerHello" "$all" "ServerHello"
    lt_expect_eq "$d: s_client got our KeyUpdate" 1 "$(lt_msg_count "$MSG" '<<<' KeyUpdate)"
    if [ "$mode" = hidden ]; then
        logged=$(awk '/^[A-Z]/ { print $1 }' "$WORK/keylog-$mode.txt" | sort -u)
        for label in $logged; do
            lt_expect_secret_hidden "$d: never prints $label" "$all" "$(lt_keylog_secret "$WORK/keylog-$mode.txt" "$label")"
        done
    fi
    for label in $LT_KEYLOG13_LABELS; do
        secret=$(lt_keylog_secret "$WORK/keylog-$mode.txt" "$label")
        if [ "$mode" = hidden ]; then
            [ -n "$secret" ] || lt_fail "$d: OpenSSL logged $label" "a $label line" "none"
        else
            lt_expect_secret_shown "$d: prints $label as OpenSSL logged it" "$all" "$secret"
        fi
    done
done

# ------------------------------------------------------------ version negotiation
# A TLS 1.2-only s_client: we talk TLS 1.2, and as a TLS 1.3 server we end
# our random with DOWNGRD 01 (RFC 8446 4.1.3), which s_client (no TLS 1.3)
# does not check.
d="s_client -tls1_2 vs our default server"
s13 v-12 "$d" "${PORT_OF[RSA]}" -tls1_2
lt_expect_contains "$d: TLSv1.2" "$LAST_OUT" "Protocol  : TLSv1.2"
r=$(lt_sh_random "$SH")
lt_expect_eq "$d: our random ends with the downgrade sentinel 444f574e47524401" "$LT_DOWNGRADE_TLS12" "${r:48:16}"
# A --tls1_2 server does not speak TLS 1.3: it must not send the sentinel,
# or a TLS 1.3-capable s_client would abort (illegal_parameter).
lt_start_lucidtls_server only12 --cert "$PKI/chain.pem" --key "$PKI/server.key" --tls1_2 || lt_finish
d="s_client (default, TLS 1.3-capable) vs server --tls1_2"
s13 v-only12 "$d" "$(lt_port only12)"
lt_expect_contains "$d: TLSv1.2" "$LAST_OUT" "Protocol  : TLSv1.2"
r=$(lt_sh_random "$SH")
if [ ${#r} = 64 ] && [ "${r:48:14}" != "${LT_DOWNGRADE_TLS12:0:14}" ]; then
    lt_pass "$d: no downgrade sentinel in our random (...${r:48:16})"
else
    lt_fail "$d: no downgrade sentinel in our random" "a 32-byte random not ending in 444f574e475244 0x" "'$r'"
fi
lt_expect_not_contains "$d: s_client does not complain" "$LAST_ALL" "error:"
# Our default server with a default s_client: TLS 1.3 is preferred.
s13 v-default "s_client (default) vs our default server" "${PORT_OF[ECDSA]}"
lt_expect_contains "s_client (default) vs our default server: TLSv1.3" "$LAST_OUT" "New, TLSv1.3"
lt_start_lucidtls_server only13 --cert "$PKI/chain.pem" --key "$PKI/server.key" --tls1_3 || lt_finish
s13 v-only13 "s_client (default) vs server --tls1_3" "$(lt_port only13)"
lt_expect_contains "s_client (default) vs server --tls1_3: TLSv1.3" "$LAST_OUT" "New, TLSv1.3"

for srv in rsa ecdsa p384 p256only only12 only13; do
    lt_expect_alive "server '$srv' still serving" "$srv"
done
lt_finish
