#!/usr/bin/env bash
# make_test_pki.sh OUTDIR — make the test PKI for the interop tests.
#
# Everything is generated at test time with the openssl CLI; no private key is
# ever checked in. Idempotent: a second run with a complete, still-valid PKI
# in OUTDIR does nothing. Safe to run concurrently (flock on OUTDIR/.lock).
#
# OUTDIR gets:
#   ca.pem, ca.key                root CA (RSA-2048) the tests trust
#   capath/<hash>.0               ca.pem in a hashed directory (for --capath)
#   server.key                    RSA-2048 key shared by every server cert below
#   server.pem                    leaf for DNS:localhost, IP:127.0.0.1 (serverAuth), signed by ca
#   chain.pem                     server.pem then ca.pem
#   expired.pem, expired-chain.pem        same names, validity entirely in the past
#   untrusted-ca.pem, untrusted-ca.key    a second root CA nobody trusts
#   untrusted.pem, untrusted-chain.pem    leaf for localhost signed by the untrusted CA
#   server-p256.key, server-p256.pem, chain-p256.pem
#                                 ECDSA: a P-256 key and its leaf (same names, keyUsage
#                                 digitalSignature only), signed by ca; the leaf then ca.pem
#   server-p384.key, server-p384.pem, chain-p384.pem    the same with a P-384 key
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
OUT=$1
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

# Serialize concurrent runs (ctest -j runs several interop scripts at once).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$OUT/.lock"
    flock 9
fi

FILES="ca.pem ca.key server.key server.pem chain.pem expired.pem expired-chain.pem
untrusted-ca.pem untrusted-ca.key untrusted.pem untrusted-chain.pem
server-p256.key server-p256.pem chain-p256.pem server-p384.key server-p384.pem chain-p384.pem"
STAMP_VERSION=2

complete() {
    [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$STAMP_VERSION" ] || return 1
    for f in $FILES; do
        [ -s "$OUT/$f" ] || return 1
    done
    ls "$OUT"/capath/*.0 >/dev/null 2>&1 || return 1
    # Regenerate when the good certificates have less than a day left.
    for leaf in server server-p256 server-p384; do
        openssl x509 -checkend 86400 -noout -in "$OUT/$leaf.pem" >/dev/null 2>&1 || return 1
    done
    openssl x509 -checkend 86400 -noout -in "$OUT/ca.pem" >/dev/null 2>&1 || return 1
    return 0
}

if complete; then
    exit 0
fi

rm -f "$OUT/.stamp"
TMP=$(mktemp -d "$OUT/.tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

cat >"$TMP/openssl.cnf" <<EOF
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = placeholder

[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ leaf_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer

# An ECDSA key signs; it never enciphers (RFC 8422 5.3, RFC 5480 3).
[ leaf_ext_ec ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer

[ ca ]
default_ca = test_ca
[ test_ca ]
database = $TMP/index.txt
new_certs_dir = $TMP
serial = $TMP/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
EOF
: >"$TMP/index.txt"
echo 1000 >"$TMP/serial"

genkey() { openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null \
    || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

# EC key on a named curve (P-256, P-384): KEYFILE CURVE
genkey_ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$2" -pkeyopt ec_param_enc:named_curve \
    -out "$1" 2>/dev/null; }

# self-signed root: KEY CERT CN
make_root() {
    genkey "$1"
    openssl req -new -x509 -config "$TMP/openssl.cnf" -key "$1" -out "$2" -days 3650 -sha256 \
        -subj "/CN=$3" -extensions ca_ext
}

# leaf via `openssl ca` (works on OpenSSL 3.0, allows dates in the past), for
# the key LEAFKEY with the extensions section EXT:
# LEAFKEY EXT OUTCERT CACERT CAKEY CN then either -days N or -startdate X -enddate Y
make_leaf_for() {
    local key=$1 ext=$2 out=$3 cacert=$4 cakey=$5 cn=$6
    shift 6
    openssl req -new -config "$TMP/openssl.cnf" -key "$key" -subj "/CN=$cn" -out "$TMP/leaf.csr"
    openssl ca -batch -notext -config "$TMP/openssl.cnf" -cert "$cacert" -keyfile "$cakey" \
        -extensions "$ext" -in "$TMP/leaf.csr" -out "$out" "$@" 2>"$TMP/ca.log" \
        || { cat "$TMP/ca.log" >&2; return 1; }
}

# an RSA leaf for server.key: OUTCERT CACERT CAKEY CN then the dates as above
make_leaf() { make_leaf_for "$TMP/server.key" leaf_ext "$@"; }

make_root "$TMP/ca.key" "$TMP/ca.pem" "lucidtls test root CA"
make_root "$TMP/untrusted-ca.key" "$TMP/untrusted-ca.pem" "lucidtls untrusted CA"
genkey "$TMP/server.key"

make_leaf "$TMP/server.pem" "$TMP/ca.pem" "$TMP/ca.key" localhost -days 825
make_leaf "$TMP/expired.pem" "$TMP/ca.pem" "$TMP/ca.key" localhost \
    -startdate 20200101000000Z -enddate 20200201000000Z
make_leaf "$TMP/untrusted.pem" "$TMP/untrusted-ca.pem" "$TMP/untrusted-ca.key" localhost -days 825
for curve in 256 384; do
    genkey_ec "$TMP/server-p$curve.key" "P-$curve"
    make_leaf_for "$TMP/server-p$curve.key" leaf_ext_ec "$TMP/server-p$curve.pem" "$TMP/ca.pem" "$TMP/ca.key" \
        localhost -days 825
    cat "$TMP/server-p$curve.pem" "$TMP/ca.pem" >"$TMP/chain-p$curve.pem"
done

cat "$TMP/server.pem" "$TMP/ca.pem" >"$TMP/chain.pem"
cat "$TMP/expired.pem" "$TMP/ca.pem" >"$TMP/expired-chain.pem"
cat "$TMP/untrusted.pem" "$TMP/untrusted-ca.pem" >"$TMP/untrusted-chain.pem"

# Self-checks: fail loudly here rather than confusingly in a test.
openssl verify -CAfile "$TMP/ca.pem" -verify_hostname localhost -purpose sslserver "$TMP/server.pem" >/dev/null
openssl verify -CAfile "$TMP/ca.pem" -verify_ip 127.0.0.1 "$TMP/server.pem" >/dev/null
for curve in 256 384; do
    openssl verify -CAfile "$TMP/ca.pem" -verify_hostname localhost -purpose sslserver \
        "$TMP/server-p$curve.pem" >/dev/null
    openssl x509 -noout -text -in "$TMP/server-p$curve.pem" | grep -q "NIST CURVE: P-$curve" || {
        echo "make_test_pki: server-p$curve.pem does not hold a P-$curve key" >&2
        exit 1
    }
done
if openssl verify -CAfile "$TMP/ca.pem" "$TMP/expired.pem" >/dev/null 2>&1; then
    echo "make_test_pki: expired.pem unexpectedly verifies" >&2
    exit 1
fi
if openssl verify -CAfile "$TMP/ca.pem" "$TMP/untrusted.pem" >/dev/null 2>&1; then
    echo "make_test_pki: untrusted.pem unexpectedly verifies against ca.pem" >&2
    exit 1
fi

chmod 600 "$TMP"/*.key
for f in $FILES; do
    mv -f "$TMP/$f" "$OUT/$f"
done
rm -rf "$OUT/capath"
mkdir -p "$OUT/capath"
cp "$OUT/ca.pem" "$OUT/capath/ca.pem"
ln -s ca.pem "$OUT/capath/$(openssl x509 -hash -noout -in "$OUT/ca.pem").0"
echo "$STAMP_VERSION" >"$OUT/.stamp"
echo "make_test_pki: test PKI written to $OUT" >&2
