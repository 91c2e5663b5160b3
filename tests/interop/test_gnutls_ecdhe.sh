#!/usr/bin/env bash
# GnuTLS against lucidtls for ECDHE (RFC 8422), both ways.
#
# gnutls-cli against `lucidtls server` (RSA, ECDSA and both identities) and
# `lucidtls client` against gnutls-serv --echo (RSA and ECDSA certificates),
# with the priority strings "NORMAL:-RSA" (no RSA key transport: ECDHE only)
# and "NORMAL:-CIPHER-ALL:+CHACHA20-POLY1305", each limited to TLS 1.2
# (-VERS-ALL:+VERS-TLS1.2); then each group (GnuTLS
# -GROUP-ALL:+GROUP-X), and encrypt-then-MAC (RFC 7366) for an ECDHE CBC
# suite, on by default and off with %NO_ETM. Data both ways each time, and the
# session as GnuTLS describes it: "(TLS1.2-X.509)-(ECDHE-group)-(signature)-(cipher)".
#
# usage: test_gnutls_ecdhe.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

if ! command -v gnutls-cli >/dev/null 2>&1 || ! command -v gnutls-serv >/dev/null 2>&1; then
    lt_fail "gnutls-cli and gnutls-serv are installed" "both in PATH" "missing (run scripts/install_deps.sh: gnutls-bin)"
    lt_finish
fi
lt_log "== $(gnutls-cli --version | head -n 1)"

CA=$PKI/ca.pem
# TLS 1.2 only: GnuTLS's NORMAL offers TLS 1.3 first, and we prefer it too
# (TLS 1.3 with GnuTLS: test_gnutls_tls13.sh). (GnuTLS still offers TLS 1.3
# in supported_versions with only CBC suites allowed; both we and gnutls-serv
# then choose TLS 1.3 and find no suite in common.)
TLS12=NORMAL:-VERS-ALL:+VERS-TLS1.2
ECDHE_ONLY=$TLS12:-RSA
CHACHA=$TLS12:-CIPHER-ALL:+CHACHA20-POLY1305
CBC_SHA1=$TLS12:-RSA:-CIPHER-ALL:+AES-128-CBC:-MAC-ALL:+SHA1

# What GnuTLS names the signature in its description, per certificate.
declare -A SIG_RE=([RSA]='RSA-(PSS-RSAE-)?SHA(256|384|512)' [ECDSA]='ECDSA-(SECP256R1-)?SHA256')
# Our servers' first choices: AES-128-GCM before AES-256 and ChaCha20
# (RFC 7525 order), x25519 first.
# want PRIORITY — the cipher part of the description for that priority.
want_cipher() {
    case $1 in
    "$CHACHA") echo '\(CHACHA20-POLY1305\)' ;;
    "$CBC_SHA1"*) echo '\(AES-128-CBC\)-\(SHA1\)' ;;
    *) echo '\(AES-128-GCM\)' ;;
    esac
}

# ------------------------------------------------------------ gnutls-cli -> lucidtls server
lt_start_lucidtls_server RSA --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
lt_start_lucidtls_server ECDSA --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
lt_start_lucidtls_server BOTH --cert "$PKI/chain.pem" --key "$PKI/server.key" \
    --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish

# gc NAME DESC SERVER PRIORITY DESCRIPTION_ERE — gnutls-cli against our SERVER.
gc() {
    local name=$1 desc=$2 srv=$3 prio=$4 re=$5 tok
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$tok" gnutls-cli --x509cafile "$CA" --priority "$prio" -p "$(lt_port "$srv")" localhost
    lt_expect_rc "$desc: gnutls-cli handshake + clean close" 0
    lt_expect_contains "$desc: line echoed back (data both ways)" "$LAST_OUT" "$tok"
    lt_expect_contains "$desc: certificate trusted" "$LAST_ALL" "The certificate is trusted"
    lt_expect_match "$desc: session" "$LAST_ALL" "^- Description: $re\$"
    lt_expect_match "$desc: EMS and safe renegotiation" "$LAST_ALL" 'Options:.*extended master secret.*safe renegotiation'
}

for srv in RSA ECDSA BOTH; do
    kind=$srv
    # Both identities: GnuTLS lists ECDSA signatures first, so the ECDSA one.
    [ "$srv" = BOTH ] && kind=ECDSA
    for prio in "$ECDHE_ONLY" "$CHACHA"; do
        gc "gc-$srv-${prio//[^A-Za-z0-9]/_}" "gnutls-cli --priority $prio vs our $srv server" "$srv" "$prio" \
            "\(TLS1\.2-X\.509\)-\(ECDHE-X25519\)-\(${SIG_RE[$kind]}\)-$(want_cipher "$prio")"
    done
done
# Both identities, a client that accepts RSA signatures only.
gc gc-BOTH-rsasig "gnutls-cli RSA signatures only vs our two-identity server" BOTH \
    "$ECDHE_ONLY:-SIGN-ALL:+SIGN-RSA-SHA256:+SIGN-RSA-PSS-RSAE-SHA256" \
    "\(TLS1\.2-X\.509\)-\(ECDHE-X25519\)-\(${SIG_RE[RSA]}\)-\(AES-128-GCM\)"

# Each group. (The ECDSA certificate's curve, P-256, must be one the client
# lists too: RFC 8422 5.3; so the groups are tried on the RSA server.)
for group in X25519:X25519 SECP256R1:SECP256R1 SECP384R1:SECP384R1; do
    g=${group%%:*}
    gc "gc-group-$g" "gnutls-cli only GROUP-$g vs our RSA server" RSA "$ECDHE_ONLY:-GROUP-ALL:+GROUP-$g" \
        "\(TLS1\.2-X\.509\)-\(ECDHE-${group#*:}\)-\(${SIG_RE[RSA]}\)-\(AES-128-GCM\)"
done
gc gc-group-ecdsa-p256 "gnutls-cli only GROUP-SECP256R1 vs our ECDSA server" ECDSA "$ECDHE_ONLY:-GROUP-ALL:+GROUP-SECP256R1" \
    "\(TLS1\.2-X\.509\)-\(ECDHE-SECP256R1\)-\(${SIG_RE[ECDSA]}\)-\(AES-128-GCM\)"

# Encrypt-then-MAC for ECDHE with CBC: on by default in GnuTLS, off with %NO_ETM.
for srv in RSA ECDSA; do
    gc "gc-etm-$srv" "gnutls-cli ECDHE CBC vs our $srv server" "$srv" "$CBC_SHA1" \
        "\(TLS1\.2-X\.509\)-\(ECDHE-X25519\)-\(${SIG_RE[$srv]}\)-$(want_cipher "$CBC_SHA1")"
    lt_expect_match "gnutls-cli ECDHE CBC vs our $srv server: EtM (RFC 7366)" "$LAST_ALL" '^- Options:.* EtM,'
    gc "gc-noetm-$srv" "gnutls-cli ECDHE CBC %NO_ETM vs our $srv server" "$srv" "$CBC_SHA1:%NO_ETM" \
        "\(TLS1\.2-X\.509\)-\(ECDHE-X25519\)-\(${SIG_RE[$srv]}\)-$(want_cipher "$CBC_SHA1")"
    lt_expect_gnutls_no_etm "gnutls-cli %NO_ETM vs our $srv server: no EtM" "$LAST_ALL"
done
gc gc-gcm-noetm "gnutls-cli ECDHE AES-GCM vs our RSA server" RSA "$ECDHE_ONLY" \
    "\(TLS1\.2-X\.509\)-\(ECDHE-X25519\)-\(${SIG_RE[RSA]}\)-\(AES-128-GCM\)"
lt_expect_gnutls_no_etm "gnutls-cli AES-GCM: no EtM for an AEAD suite" "$LAST_ALL"

for srv in RSA ECDSA BOTH; do
    lt_expect_alive "our $srv server still serving after GnuTLS clients" "$srv"
done

# ------------------------------------------------------------ lucidtls client -> gnutls-serv --echo
# gs NAME DESC IDENT PRIORITY DESCRIPTION_ERE [CLIENT_ARGS...]
gs() {
    local name=$1 desc=$2 ident=$3 prio=$4 re=$5 tok sall
    shift 5
    lt_start_server "$name" gnutls-serv --echo --disable-client-cert --x509certfile "$(lt_chain_of "$ident")" \
        --x509keyfile "$(lt_key_of "$ident")" --priority "$prio" -p @PORT@ || return 0
    tok=$(lt_token "$name")
    lt_session "$name" 10 "$tok\n" "$tok" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "$name")" --cafile "$CA" --servername localhost "$@"
    lt_expect_rc "$desc: lucidtls client exits 0" 0
    lt_expect_file_eq "$desc: stdout is exactly the echoed line" "$LAST_OUT" "$tok"$'\n'
    lt_stop_server "$name"
    sall=$(lt_server_all "$name")
    lt_expect_match "$desc: gnutls-serv's session" "$sall" "^- Description: $re\$"
    lt_expect_match "$desc: EMS and safe renegotiation" "$sall" 'Options:.*extended master secret.*safe renegotiation'
    GS_ALL=$sall
}

for ident in RSA ECDSA; do
    for prio in "$ECDHE_ONLY" "$CHACHA"; do
        gs "gs-$ident-${prio//[^A-Za-z0-9]/_}" "lucidtls client vs gnutls-serv --priority $prio ($ident)" "$ident" "$prio" \
            "\(TLS1\.2-X\.509\)-\(ECDHE-X25519\)-\(${SIG_RE[$ident]}\)-$(want_cipher "$prio")"
    done
    gs "gs-etm-$ident" "lucidtls client vs gnutls-serv ECDHE CBC ($ident)" "$ident" "$CBC_SHA1" \
        "\(TLS1\.2-X\.509\)-\(ECDHE-X25519\)-\(${SIG_RE[$ident]}\)-$(want_cipher "$CBC_SHA1")"
    lt_expect_match "gnutls-serv ECDHE CBC ($ident): EtM (RFC 7366)" "$GS_ALL" '^- Options:.* EtM,'
    gs "gs-noetm-$ident" "lucidtls client vs gnutls-serv ECDHE CBC %NO_ETM ($ident)" "$ident" "$CBC_SHA1:%NO_ETM" \
        "\(TLS1\.2-X\.509\)-\(ECDHE-X25519\)-\(${SIG_RE[$ident]}\)-$(want_cipher "$CBC_SHA1")"
    lt_expect_gnutls_no_etm "gnutls-serv %NO_ETM ($ident): no EtM" "$GS_ALL"
done
for group in SECP256R1 SECP384R1; do
    gs "gs-group-$group" "lucidtls client vs gnutls-serv only GROUP-$group (ECDSA)" ECDSA \
        "$ECDHE_ONLY:-GROUP-ALL:+GROUP-$group" \
        "\(TLS1\.2-X\.509\)-\(ECDHE-$group\)-\(${SIG_RE[ECDSA]}\)-\(AES-128-GCM\)"
done
# Our --ciphers picks among what the server allows.
gs gs-ours-chacha "lucidtls client --ciphers ECDHE-RSA-CHACHA20-POLY1305 vs gnutls-serv NORMAL:-RSA" RSA "$ECDHE_ONLY" \
    "\(TLS1\.2-X\.509\)-\(ECDHE-X25519\)-\(${SIG_RE[RSA]}\)-\(CHACHA20-POLY1305\)" --ciphers ECDHE-RSA-CHACHA20-POLY1305

lt_finish
