#!/usr/bin/env bash
# `lucidtls client` against openssl s_server, TLS 1.3 (RFC 8446), over loopback.
#
# Every suite x every group x every certificate (RSA, ECDSA P-256, ECDSA
# P-384), data both ways (s_server -rev), checked in what s_server reports
# and in the ServerHello and CertificateVerify it logs (-msg). A forced
# HelloRetryRequest: we share X25519 by default, s_server takes P-256 (or
# P-384) only. Resumption with --sess-out / --sess-in against s_server
# -naccept 2 ("lucidtls: session resumed", no Certificate the second time),
# and a session from another s_server process: a full handshake. KeyUpdate:
# our --key-update, and s_server's K command in interactive mode. A
# Certificate message of more than 16 KiB (ten intermediates). Plaintext
# handshake records cut into 1-byte records by a proxy
# (tests/interop/reframe_proxy.py), with and without a HelloRetryRequest.
# SSLKEYLOGFILE against s_server -keylogfile; --explain hides and
# --show-secrets shows the secrets. Version negotiation: TLS 1.2 with
# s_server -tls1_2 (no sentinel from a TLS 1.2-only OpenSSL); our --tls1_2
# client accepts the sentinel of a TLS 1.3-capable s_server.
#
# usage: test_openssl_tls13_server.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem
declare -A CV_OF=([RSA]='080[456]' [ECDSA]=0403 [P384]=0503)
declare -A GROUP_ARG=([X25519]=x25519 [P-256]=P-256 [P-384]=P-384)

# serve NAME IDENT S_SERVER_ARGS... — a one-shot s_server -rev -msg with the
# IDENT (RSA, ECDSA or P384) identity.
serve() {
    local name=$1 ident=$2
    shift 2
    lt_start_openssl_server "$name" -naccept 1 -rev -msg -cert "$(lt_chain_of "$ident")" -key "$(lt_key_of "$ident")" "$@"
}

# client_ok NAME DESC [CLIENT_ARGS...] — our client against the server NAME:
# exit 0, the line came back reversed; waits for s_server to exit (-naccept)
# unless NOWAIT is set. Sets SALL (s_server's output) and SH (the first
# ServerHello it sent, as hex).
client_ok() {
    local name=$1 desc=$2 tok
    shift 2
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$(lt_reverse "$tok")" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "${SRV:-$name}")" --cafile "$CA" --servername localhost "$@"
    lt_expect_rc "$desc: lucidtls client exits 0" 0
    lt_expect_file_eq "$desc: stdout is exactly the reversed line (data both ways)" "$LAST_OUT" "$(lt_reverse "$tok")"$'\n'
    [ -n "${NOWAIT:-}" ] || lt_wait_exit "${SRV:-$name}"
    SALL=$(lt_server_all "${SRV:-$name}")
    SH=$(lt_msg_hex "$SALL" '>>>' ServerHello)
}

# ------------------------------------------------------------ every suite, group and certificate
# s_server takes one suite and one group; we share that group (--groups), so
# no HelloRetryRequest is needed.
for ident in RSA ECDSA P384; do
    while read -r suite code; do
        for group in X25519 P-256 P-384; do
            d="[$suite, $group, $ident]"
            serve "m-$suite-$group-$ident" "$ident" -tls1_3 -ciphersuites "$suite" -groups "$group" || continue
            client_ok "m-$suite-$group-$ident" "$d" --groups "${GROUP_ARG[$group]}"
            lt_expect_contains "$d: s_server: TLSv1.3" "$SALL" "Protocol version: TLSv1.3"
            lt_expect_contains "$d: s_server: $suite" "$SALL" "Ciphersuite: $suite"
            lt_expect_eq "$d: ServerHello key_share on $group" "${LT_GROUP_CODE[$group]}" "$(lt_sh13_group "$SH")"
            lt_expect_eq "$d: ServerHello supported_versions = TLS 1.3" 0304 "$(lt_sh_ext_data "$SH" 002b)"
            lt_expect_eq "$d: ServerHello cipher suite" "$code" "$(lt_sh_suite "$SH")"
            lt_expect_eq "$d: one ClientHello (no HelloRetryRequest)" 1 "$(lt_msg_count "$SALL" '<<<' ClientHello)"
            lt_expect_re "$d: CertificateVerify scheme we accepted" "${CV_OF[$ident]}" \
                "$(lt_cv_scheme "$(lt_msg_hex "$SALL" '>>>' CertificateVerify)")"
            lt_expect_contains "$d: s_server saw a clean close" "$SALL" "CONNECTION CLOSED"
        done
    done <<<"$LT_SUITES13"
done

# ------------------------------------------------------------ HelloRetryRequest
# Our default ClientHello lists x25519, P-256, P-384 and shares x25519 only;
# an s_server that takes P-256 (P-384) only asks for it (RFC 8446 4.1.4).
for group in P-256 P-384; do
    d="HRR (our defaults vs s_server -groups $group)"
    serve "hrr-$group" RSA -tls1_3 -groups "$group" || continue
    client_ok "hrr-$group" "$d"
    lt_expect_eq "$d: two ClientHellos" 2 "$(lt_msg_count "$SALL" '<<<' ClientHello)"
    lt_expect_eq "$d: the first ServerHello is a HelloRetryRequest (RFC 8446 4.1.3 random)" "$LT_HRR_RANDOM" \
        "$(lt_sh_random "$SH")"
    lt_expect_eq "$d: HelloRetryRequest asks for $group" "${LT_GROUP_CODE[$group]}" "$(lt_sh13_group "$SH")"
    lt_expect_eq "$d: the real ServerHello's key_share is $group" "${LT_GROUP_CODE[$group]}" \
        "$(lt_sh13_group "$(lt_msg_hex_nth "$SALL" '>>>' ServerHello 2)")"
    lt_expect_contains "$d: s_server: TLSv1.3" "$SALL" "Protocol version: TLSv1.3"
done

# ------------------------------------------------------------ resumption
rm -f "$WORK/sess1" "$WORK/sess2" "$WORK/sess3"
serve res RSA -tls1_3 -naccept 2 || lt_finish
NOWAIT=1 SRV=res client_ok res-full "resumption: first connection" --sess-out "$WORK/sess1"
lt_expect_not_contains "resumption: no resumption line without --sess-in" "$LAST_ERR" "lucidtls: session resumed"
if [ -s "$WORK/sess1" ]; then
    lt_pass "resumption: --sess-out saved a session"
else
    lt_fail "resumption: --sess-out saved a session" "a non-empty $WORK/sess1" "none"
fi
d="resumption: --sess-in, same s_server"
SRV=res client_ok res-again "$d" --sess-in "$WORK/sess1" --sess-out "$WORK/sess2"
lt_expect_contains "$d: we say so" "$LAST_ERR" "lucidtls: session resumed"
lt_expect_eq "$d: s_server sent its Certificate in the first handshake only" 1 "$(lt_msg_count "$SALL" '>>>' Certificate)"
lt_expect_eq "$d: two handshakes, two ServerHellos" 2 "$(lt_msg_count "$SALL" '>>>' ServerHello)"
SH2=$(lt_msg_hex_nth "$SALL" '>>>' ServerHello 2)
lt_expect_eq "$d: the second ServerHello accepts PSK identity 0 (RFC 8446 4.2.11)" 0000 "$(lt_sh_ext_data "$SH2" 0029)"
lt_expect_eq "$d: psk_dhe_ke: the second ServerHello has a key_share (RFC 8446 4.2.9)" "${LT_GROUP_CODE[X25519]}" \
    "$(lt_sh13_group "$SH2")"
if [ -s "$WORK/sess2" ]; then
    lt_pass "$d: --sess-out saved the new ticket"
else
    lt_fail "$d: --sess-out saved the new ticket" "a non-empty $WORK/sess2" "none"
fi
# Another s_server process has other ticket keys: it ignores the PSK and
# does a full handshake, which we must accept (RFC 8446 4.2.11).
d="resumption: --sess-in against another s_server process"
serve res-other RSA -tls1_3 || lt_finish
client_ok res-other "$d" --sess-in "$WORK/sess1"
lt_expect_contains "$d: we say it was a full handshake" "$LAST_ERR" \
    "lucidtls: full handshake (the session was not resumed)"
lt_expect_eq "$d: s_server sent its Certificate" 1 "$(lt_msg_count "$SALL" '>>>' Certificate)"
lt_expect_eq "$d: no pre_shared_key in the ServerHello" "" "$(lt_sh_ext_data "$SH" 0029)"

# ------------------------------------------------------------ KeyUpdate: --key-update
d="--key-update"
serve ku RSA -tls1_3 || lt_finish
client_ok ku "$d" --key-update
lt_expect_eq "$d: s_server got one KeyUpdate" 1 "$(lt_msg_count "$SALL" '<<<' KeyUpdate)"
lt_expect_eq "$d: ours is update_requested" 1800000101 "$(lt_msg_hex "$SALL" '<<<' KeyUpdate)"
lt_expect_eq "$d: s_server answered update_not_requested" 1800000100 "$(lt_msg_hex "$SALL" '>>>' KeyUpdate)"

# ------------------------------------------------------------ KeyUpdate: s_server's K command
# s_server in interactive mode: its stdin goes to the client, what it gets
# to its stdout. "K" on its stdin sends KeyUpdate(update_requested); we must
# answer update_not_requested (RFC 8446 4.6.3); "k" sends
# update_not_requested, which we do not answer. Data must flow both ways on
# the new keys.
rm -f "$WORK/kus.in" "$WORK/kuc.in"
mkfifo "$WORK/kus.in" "$WORK/kuc.in"
exec {KUS}<>"$WORK/kus.in"
LT_SERVER_STDIN=$WORK/kus.in lt_start_openssl_server kus -tls1_3 -naccept 1 -msg -cert "$PKI/chain.pem" \
    -key "$PKI/server.key" || lt_finish
lt_new_files kus-client
LAST_CMD="$LUCIDTLS client 127.0.0.1:$(lt_port kus) --cafile $CA --servername localhost"
setsid timeout -k 2 20 "$LUCIDTLS" client "127.0.0.1:$(lt_port kus)" --cafile "$CA" --servername localhost \
    <"$WORK/kuc.in" >"$LAST_OUT" 2>"$LAST_ERR" &
KPID=$!
exec {KUC}>"$WORK/kuc.in"
lt_adopt "$KPID" "client 'kus-client'" "$LAST_CMD"
sout=$(lt_server_out kus)
c1=$(lt_token c1) s1=$(lt_token s1) c2=$(lt_token c2) s2=$(lt_token s2)
printf '%s\n' "$c1" >&"$KUC"
lt_wait_for "$sout" "$c1" 10
printf '%s\n' "$s1" >&"$KUS"
lt_wait_for "$LAST_OUT" "$s1" 10
printf 'K\n' >&"$KUS"
lt_wait_for "$sout" "KeyUpdate" 5
sleep 0.3
# "k": KeyUpdate(update_not_requested), which needs no answer.
printf 'k\n' >&"$KUS"
sleep 0.3
printf '%s\n' "$s2" >&"$KUS"
printf '%s\n' "$c2" >&"$KUC"
lt_wait_for "$LAST_OUT" "$s2" 10
lt_wait_for "$sout" "$c2" 10
exec {KUC}>&-
lt_reap "$KPID"
exec {KUS}>&-
lt_stop_server kus
SALL=$(lt_server_all kus)
d="s_server K"
lt_expect_contains "$d: data from us before the update" "$SALL" "$c1"
lt_expect_contains "$d: data from s_server before the update" "$LAST_OUT" "$s1"
lt_expect_eq "$d: s_server sent KeyUpdate(update_requested)" 1800000101 "$(lt_msg_hex "$SALL" '>>>' KeyUpdate)"
lt_expect_eq "s_server k: s_server sent KeyUpdate(update_not_requested)" 1800000100 \
    "$(lt_msg_hex_nth "$SALL" '>>>' KeyUpdate 2)"
lt_expect_eq "s_server K then k: we answered K only" 1 "$(lt_msg_count "$SALL" '<<<' KeyUpdate)"
lt_expect_eq "$d: our answer is update_not_requested (RFC 8446 4.6.3)" 1800000100 "$(lt_msg_hex "$SALL" '<<<' KeyUpdate)"
lt_expect_contains "$d: data from s_server after the updates" "$LAST_OUT" "$s2"
lt_expect_contains "$d: data from us after the updates" "$SALL" "$c2"

# ------------------------------------------------------------ a Certificate message over 16 KiB
if lt_make_big_chain "$WORK/big" 10 2000; then
    d="11-certificate chain (leaf + 10 intermediates)"
    lt_start_openssl_server big -tls1_3 -naccept 1 -rev -msg -cert "$WORK/big/leaf.pem" -key "$WORK/big/leaf.key" \
        -cert_chain "$WORK/big/intermediates.pem" || lt_finish
    client_ok big "$d"
    len=$(lt_msg_len_max "$SALL" '>>>' Certificate)
    if [ "$len" -gt 16384 ]; then
        lt_pass "$d: s_server's Certificate message is $len bytes (> 16384: more than one record)"
    else
        lt_fail "$d: s_server's Certificate message is over 16384 bytes" "> 16384" "$len"
    fi
else
    lt_fail "the big chain is made" "lt_make_big_chain succeeds" "it failed"
fi

# ------------------------------------------------------------ 1-byte handshake records
# Through tests/interop/reframe_proxy.py: every plaintext handshake record
# (ClientHello, HelloRetryRequest, ServerHello) as 1-byte records, both ways.
# The encrypted records cannot be re-framed (their AEAD tag covers the
# header) and pass unchanged.
# frag_case NAME DESC S_SERVER_ARGS...
frag_case() {
    local name=$1 desc=$2 want_c2s=0 want_s2c=0 i n h
    shift 2
    serve "$name-srv" RSA -tls1_3 "$@" || return 0
    lt_start_reframe_proxy "$name" "$(lt_port "$name-srv")" || return 0
    SRV=$name NOWAIT=1 client_ok "$name" "$desc"
    lt_wait_exit "$name-srv"
    # The proxy reports a direction when it ends: wait for both, then stop it.
    lt_wait_for "$(lt_server_err "$name")" " c2s " 5
    lt_wait_for "$(lt_server_err "$name")" " s2c " 5
    lt_stop_server "$name"
    SALL=$(lt_server_all "$name-srv")
    lt_expect_contains "$desc: s_server: TLSv1.3" "$SALL" "Protocol version: TLSv1.3"
    n=$(lt_msg_count "$SALL" '<<<' ClientHello)
    for i in $(seq 1 "$n"); do
        h=$(lt_msg_hex_nth "$SALL" '<<<' ClientHello "$i")
        want_c2s=$((want_c2s + ${#h} / 2))
    done
    n=$(lt_msg_count "$SALL" '>>>' ServerHello)
    for i in $(seq 1 "$n"); do
        h=$(lt_msg_hex_nth "$SALL" '>>>' ServerHello "$i")
        want_s2c=$((want_s2c + ${#h} / 2))
    done
    lt_expect_eq "$desc: every ClientHello byte went in its own record" "$want_c2s" "$(lt_proxy_reframed "$name" c2s)"
    lt_expect_eq "$desc: every ServerHello byte went in its own record" "$want_s2c" "$(lt_proxy_reframed "$name" s2c)"
    lt_expect_eq "$desc: s_server received our ClientHello as 1-byte records" "$want_c2s" \
        "$(lt_msg_tiny_records "$SALL" '<<<')"
}
frag_case frag "1-byte handshake records"
frag_case frag-hrr "1-byte handshake records, with a HelloRetryRequest" -groups P-256
lt_expect_eq "1-byte records with HRR: two ClientHellos" 2 "$(lt_msg_count "$SALL" '<<<' ClientHello)"

# ------------------------------------------------------------ SSLKEYLOGFILE
rm -f "$WORK/keylog-theirs.txt" "$WORK/keylog-ours.txt"
serve keylog ECDSA -tls1_3 -keylogfile "$WORK/keylog-theirs.txt" || lt_finish
SSLKEYLOGFILE=$WORK/keylog-ours.txt client_ok keylog "client SSLKEYLOGFILE"
lt_expect_keylogs_agree "client SSLKEYLOGFILE vs s_server -keylogfile" "$WORK/keylog-ours.txt" "$WORK/keylog-theirs.txt"

# ------------------------------------------------------------ --explain hides, --show-secrets shows
# With --key-update, so that OpenSSL's key log also has the updated
# secrets (CLIENT_TRAFFIC_SECRET_N, SERVER_TRAFFIC_SECRET_N): without
# --show-secrets none of its secrets may appear; with it, the five do.
for mode in hidden shown; do
    extra=()
    [ "$mode" = shown ] && extra=(--show-secrets)
    rm -f "$WORK/keylog-$mode.txt"
    d="client --explain${extra[*]:+ ${extra[*]}}"
    serve "explain-$mode" RSA -tls1_3 -keylogfile "$WORK/keylog-$mode.txt" || continue
    client_ok "explain-$mode" "$d" --key-update --explain "${extra[@]}"
    lt_expect_contains "$d: narrates the ServerHello" "$LAST_ERR" "ServerHello"
    lt_expect_eq "$d: s_server got our KeyUpdate" 1 "$(lt_msg_count "$SALL" '<<<' KeyUpdate)"
    if [ "$mode" = hidden ]; then
        logged=$(awk '/^[A-Z]/ { print $1 }' "$WORK/keylog-$mode.txt" | sort -u)
        for label in $logged; do
            lt_expect_secret_hidden "$d: never prints $label" "$LAST_ALL" \
                "$(lt_keylog_secret "$WORK/keylog-$mode.txt" "$label")"
        done
    fi
    for label in $LT_KEYLOG13_LABELS; do
        secret=$(lt_keylog_secret "$WORK/keylog-$mode.txt" "$label")
        if [ "$mode" = hidden ]; then
            [ -n "$secret" ] || lt_fail "$d: OpenSSL logged $label" "a $label line" "none"
        else
            lt_expect_secret_shown "$d: prints $label as OpenSSL logged it" "$LAST_ALL" "$secret"
        fi
    done
done

# ------------------------------------------------------------ version negotiation
# A TLS 1.2-only s_server: our default client settles for TLS 1.2. OpenSSL
# limited to TLS 1.2 does not send the downgrade sentinel, so ours must not
# trip (RFC 8446 4.1.3: the check is for a TLS 1.3 server that negotiated
# lower).
d="our default client vs s_server -tls1_2"
serve v-12 RSA -tls1_2 || lt_finish
client_ok v-12 "$d"
lt_expect_contains "$d: s_server: TLSv1.2" "$SALL" "Protocol version: TLSv1.2"
r=$(lt_sh_random "$SH")
if [ ${#r} = 64 ] && [ "${r:48:14}" != "${LT_DOWNGRADE_TLS12:0:14}" ]; then
    lt_pass "$d: s_server's random has no downgrade sentinel (...${r:48:16})"
else
    lt_fail "$d: s_server's random has no downgrade sentinel" "a 32-byte random not ending in 444f574e475244 0x" "'$r'"
fi
# Our --tls1_2 client against a TLS 1.3-capable s_server: TLS 1.2, and
# s_server's random does end with DOWNGRD 01, which a client that does not
# speak TLS 1.3 accepts.
d="client --tls1_2 vs s_server (TLS 1.3-capable)"
serve v-only12 RSA || lt_finish
client_ok v-only12 "$d" --tls1_2
lt_expect_contains "$d: s_server: TLSv1.2" "$SALL" "Protocol version: TLSv1.2"
r=$(lt_sh_random "$SH")
lt_expect_eq "$d: s_server's random ends with the sentinel" "$LT_DOWNGRADE_TLS12" "${r:48:16}"
# Defaults both sides: TLS 1.3.
serve v-default ECDSA || lt_finish
client_ok v-default "our default client vs s_server (defaults)"
lt_expect_contains "our default client vs s_server (defaults): TLSv1.3" "$SALL" "Protocol version: TLSv1.3"
serve v-only13 ECDSA || lt_finish
client_ok v-only13 "client --tls1_3 vs s_server (defaults)" --tls1_3
lt_expect_contains "client --tls1_3 vs s_server (defaults): TLSv1.3" "$SALL" "Protocol version: TLSv1.3"

lt_finish
