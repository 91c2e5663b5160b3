#!/usr/bin/env bash
# GnuTLS (a second, independent implementation) against lucidtls, both ways.
#
# gnutls-cli against `lucidtls server`, and `lucidtls client` against
# gnutls-serv --echo, for each of the six RSA key transport suites: data
# both ways, the suite GnuTLS reports, extended master secret and safe
# renegotiation as GnuTLS sees them, and encrypt-then-MAC (RFC 7366, which
# GnuTLS offers by default): used for the CBC suites, not for AES-GCM.
# ECDHE with GnuTLS: test_gnutls_ecdhe.sh.
#
# usage: test_gnutls.sh BUILD_DIR
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

# OpenSSL name -> GnuTLS cipher, MAC and description as gnutls prints it.
gnutls_of() {
    case $1 in
    AES128-SHA) echo "AES-128-CBC SHA1" ;;
    AES256-SHA) echo "AES-256-CBC SHA1" ;;
    AES128-SHA256) echo "AES-128-CBC SHA256" ;;
    AES256-SHA256) echo "AES-256-CBC SHA256" ;;
    AES128-GCM-SHA256) echo "AES-128-GCM AEAD" ;;
    AES256-GCM-SHA384) echo "AES-256-GCM AEAD" ;;
    esac
}
priority_of() {
    local cipher mac
    read -r cipher mac <<<"$(gnutls_of "$1")"
    echo "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA:-CIPHER-ALL:+$cipher:-MAC-ALL:+$mac"
}
description_of() {
    local cipher mac
    read -r cipher mac <<<"$(gnutls_of "$1")"
    if [ "$mac" = AEAD ]; then
        echo "(TLS1.2-X.509)-(RSA)-($cipher)"
    else
        echo "(TLS1.2-X.509)-(RSA)-($cipher)-($mac)"
    fi
}

# ------------------------------------------------------------ gnutls-cli -> lucidtls server
lt_start_lucidtls_server echo --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
PORT=$(lt_port echo)
while read -r iana ossl; do
    tok=$(lt_token "gc-$ossl")
    lt_session "gc-$ossl" 10 "$tok\n" "$tok" \
        gnutls-cli --x509cafile "$CA" --priority "$(priority_of "$ossl")" -p "$PORT" localhost
    lt_expect_rc "[$iana] gnutls-cli handshake + clean close" 0
    lt_expect_contains "[$iana] gnutls-cli: line echoed back" "$LAST_OUT" "$tok"
    lt_expect_contains "[$iana] gnutls-cli: certificate trusted" "$LAST_ALL" "The certificate is trusted"
    lt_expect_contains "[$iana] gnutls-cli: suite" "$LAST_ALL" "$(description_of "$ossl")"
    lt_expect_match "[$iana] gnutls-cli: EMS and safe renegotiation" "$LAST_ALL" \
        'Options:.*extended master secret.*safe renegotiation'
    if lt_is_cbc "$ossl"; then
        lt_expect_match "[$iana] gnutls-cli: CBC: encrypt-then-MAC" "$LAST_ALL" '^- Options:.* EtM,'
    else
        lt_expect_gnutls_no_etm "[$iana] gnutls-cli: AEAD: no encrypt-then-MAC" "$LAST_ALL"
    fi
done <<<"$LT_SUITES"
lt_expect_alive "server still serving after GnuTLS clients" echo

# ------------------------------------------------------------ lucidtls client -> gnutls-serv --echo
while read -r iana ossl; do
    lt_start_server "gs-$ossl" gnutls-serv --echo --disable-client-cert --x509certfile "$PKI/chain.pem" --x509keyfile "$PKI/server.key" \
        --priority "$(priority_of "$ossl")" -p @PORT@ || continue
    tok=$(lt_token "gs-$ossl")
    lt_session "gs-$ossl" 10 "$tok\n" "$tok" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "gs-$ossl")" --cafile "$CA" --servername localhost
    lt_expect_rc "[$iana] lucidtls client vs gnutls-serv exits 0" 0
    lt_expect_file_eq "[$iana] stdout is exactly the echoed line" "$LAST_OUT" "$tok"$'\n'
    lt_stop_server "gs-$ossl"
    sall=$(lt_server_all "gs-$ossl")
    lt_expect_contains "[$iana] gnutls-serv: suite" "$sall" "$(description_of "$ossl")"
    lt_expect_contains "[$iana] gnutls-serv: SNI 'localhost'" "$sall" "Given server name[1]: localhost"
    lt_expect_match "[$iana] gnutls-serv: EMS and safe renegotiation" "$sall" \
        'Options:.*extended master secret.*safe renegotiation'
    if lt_is_cbc "$ossl"; then
        lt_expect_match "[$iana] gnutls-serv: CBC: encrypt-then-MAC" "$sall" '^- Options:.* EtM,'
    else
        lt_expect_gnutls_no_etm "[$iana] gnutls-serv: AEAD: no encrypt-then-MAC" "$sall"
    fi
done <<<"$LT_SUITES"

# gnutls-serv's default: it asks for a client certificate, optionally
# (CertificateRequest). RFC 5246 7.4.6: a client with no certificate answers
# with an empty Certificate message and the handshake goes on.
lt_start_server gs-certreq gnutls-serv --echo --x509certfile "$PKI/chain.pem" --x509keyfile "$PKI/server.key" \
    --priority "$(priority_of AES128-GCM-SHA256)" -p @PORT@ || lt_finish
tok=$(lt_token certreq)
lt_session gs-certreq 10 "$tok\n" "$tok" \
    "$LUCIDTLS" client "127.0.0.1:$(lt_port gs-certreq)" --cafile "$CA" --servername localhost
lt_expect_rc "gnutls-serv asking for an optional client certificate: lucidtls client exits 0" 0
lt_expect_contains "optional CertificateRequest: data both ways" "$LAST_OUT" "$tok"
lt_stop_server gs-certreq

lt_finish
