#!/usr/bin/env bash
# Mutual TLS (RFC 5246 7.4.4-7.4.8, RFC 8446 4.3.2, 4.4.2-4.4.3) with real
# peers over loopback, TLS 1.2 and 1.3, both ways.
#
# Our server (--require-client-cert / --verify-client --client-cafile) with
# openssl s_client -cert/-key (a good RSA and ECDSA certificate, one from
# another CA, one without clientAuth, an expired one, none), curl --cert,
# gnutls-cli --x509certfile and Python's load_cert_chain: the --www page
# and the server's log line name the client certificate, and each failure
# is the alert the RFCs name, as the peer reports it. Our client (--cert
# --key) with openssl s_server -Verify 1, gnutls-serv --require-client-cert
# and a Python server with CERT_REQUIRED: what the server says it verified,
# data both ways, and the alert when our certificate is refused or missing.
#
# The client certificates are made here from the test PKI's CAs.
#
# usage: test_mtls.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem
C=$WORK/clients
mkdir -p "$C"

# ------------------------------------------------------------ client certificates
cat >"$C/openssl.cnf" <<EOF
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ client_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
[ server_only_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $C/index.txt
new_certs_dir = $C
serial = $C/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
organizationName = optional
EOF
: >"$C/index.txt"
echo 2000 >"$C/serial"

# mkcert OUT KEY CACERT CAKEY EXT CN [openssl ca date options]
mkcert() {
    local out=$1 key=$2 cacert=$3 cakey=$4 ext=$5 cn=$6
    shift 6
    openssl req -new -config "$C/openssl.cnf" -key "$key" -subj "/O=lucidtls tests/CN=$cn" -out "$C/req.csr" &&
        openssl ca -batch -notext -config "$C/openssl.cnf" -cert "$cacert" -keyfile "$cakey" -extensions "$ext" \
            -in "$C/req.csr" -out "$out" "$@" 2>>"$C/ca.log"
}
RSA_KEY=$PKI/server.key
EC_KEY=$PKI/server-p256.key
if ! { mkcert "$C/good.pem" "$RSA_KEY" "$CA" "$PKI/ca.key" client_ext "mtls good client" -days 2 &&
    mkcert "$C/ec.pem" "$EC_KEY" "$CA" "$PKI/ca.key" client_ext "mtls ecdsa client" -days 2 &&
    mkcert "$C/untrusted.pem" "$RSA_KEY" "$PKI/untrusted-ca.pem" "$PKI/untrusted-ca.key" client_ext \
        "mtls untrusted client" -days 2 &&
    mkcert "$C/wrong-eku.pem" "$RSA_KEY" "$CA" "$PKI/ca.key" server_only_ext "mtls serverAuth only" -days 2 &&
    mkcert "$C/expired.pem" "$RSA_KEY" "$CA" "$PKI/ca.key" client_ext "mtls expired client" \
        -startdate 20200101000000Z -enddate 20200201000000Z; }; then
    lt_fail "make the client certificates" "openssl ca succeeds" "$(lt_excerpt "$C/ca.log")"
    lt_finish
fi
# The page shows the subject as one line (RFC 2253 order: O=..., CN=...).
GOOD_SUBJECT="O=lucidtls tests,CN=mtls good client"
EC_SUBJECT="O=lucidtls tests,CN=mtls ecdsa client"
declare -A VFLAG=([1.2]=-tls1_2 [1.3]=-tls1_3)
declare -A OURFLAG=([1.2]=--tls1_2 [1.3]=--tls1_3)

# ------------------------------------------------------------ our server, openssl s_client
lt_start_lucidtls_server req --cert "$PKI/chain.pem" --key "$RSA_KEY" --www --require-client-cert --client-cafile "$CA"
lt_start_lucidtls_server opt --cert "$PKI/chain.pem" --key "$RSA_KEY" --www --verify-client --client-cafile "$CA"
GET='GET / HTTP/1.0\r\n\r\n'

# s_client_to SERVER NAME VERSION [ARGS...]
s_client_to() {
    local srv=$1 name=$2 v=$3
    shift 3
    lt_session "$name" 10 "$GET" "Client certificate:" openssl s_client -connect "127.0.0.1:$(lt_port "$srv")" \
        "${VFLAG[$v]}" -CAfile "$CA" -servername localhost -ign_eof "$@"
}

for v in 1.2 1.3; do
    s_client_to req "sc-good-$v" "$v" -cert "$C/good.pem" -key "$RSA_KEY"
    lt_expect_contains "TLS $v s_client -cert: our --www page names the client certificate" "$LAST_OUT" \
        "Client certificate: $GOOD_SUBJECT"
    lt_expect_match "TLS $v s_client -cert: the server logged the subject" "$(lt_server_err req)" \
        "client certificate: .*mtls good client"

    s_client_to req "sc-ec-$v" "$v" -cert "$C/ec.pem" -key "$EC_KEY"
    lt_expect_contains "TLS $v s_client with an ECDSA client certificate: accepted" "$LAST_OUT" \
        "Client certificate: $EC_SUBJECT"

    # The CertificateRequest names our CA (certificate_authorities / DN list).
    grep -A1 -F "Acceptable client certificate CA names" "$LAST_OUT" | tail -n 1 >"$WORK/ca-names-$v"
    lt_expect_contains "TLS $v s_client sees our CA in the CertificateRequest's CA names" "$WORK/ca-names-$v" \
        "CN = lucidtls test root CA"

    s_client_to req "sc-none-$v" "$v"
    if [ "$v" = 1.3 ]; then
        lt_expect_match "TLS 1.3 no client certificate, required: alert certificate_required (116)" "$LAST_ALL" \
            "alert certificate required|alert number 116"
    else
        lt_expect_match "TLS 1.2 no client certificate, required: alert handshake_failure (40)" "$LAST_ALL" \
            "alert handshake failure|alert number 40"
    fi
    lt_expect_not_contains "TLS $v no client certificate: no page" "$LAST_OUT" "Client certificate:"

    s_client_to req "sc-untrusted-$v" "$v" -cert "$C/untrusted.pem" -key "$RSA_KEY"
    lt_expect_match "TLS $v client certificate from another CA: alert unknown_ca (48)" "$LAST_ALL" \
        "alert unknown ca|alert number 48"

    s_client_to req "sc-eku-$v" "$v" -cert "$C/wrong-eku.pem" -key "$RSA_KEY"
    lt_expect_match "TLS $v client certificate without clientAuth: alert unsupported_certificate (43)" "$LAST_ALL" \
        "alert unsupported certificate|alert number 43"

    s_client_to req "sc-expired-$v" "$v" -cert "$C/expired.pem" -key "$RSA_KEY"
    lt_expect_match "TLS $v expired client certificate: alert certificate_expired (45)" "$LAST_ALL" \
        "alert certificate expired|alert number 45"

    s_client_to opt "sc-optional-none-$v" "$v"
    lt_expect_contains "TLS $v --verify-client without a certificate: served, 'none'" "$LAST_OUT" \
        "Client certificate: none"
    s_client_to opt "sc-optional-good-$v" "$v" -cert "$C/good.pem" -key "$RSA_KEY"
    lt_expect_contains "TLS $v --verify-client with a certificate: verified and named" "$LAST_OUT" \
        "Client certificate: $GOOD_SUBJECT"
done
lt_expect_contains "the server logged 'none' for the client without a certificate" "$(lt_server_err opt)" \
    "client certificate: none"

# ------------------------------------------------------------ our server, curl, gnutls-cli, python
PORT_REQ=$(lt_port req)
for v in 1.2 1.3; do
    if [ "$v" = 1.2 ]; then cv=(--tlsv1.2 --tls-max 1.2); else cv=(--tlsv1.3); fi
    lt_run "curl-good-$v" 10 - curl -sS "${cv[@]}" --cacert "$CA" --cert "$C/good.pem" --key "$RSA_KEY" \
        "https://localhost:$PORT_REQ/"
    lt_expect_rc "TLS $v curl --cert: exit 0" 0
    lt_expect_contains "TLS $v curl --cert: the page names the certificate" "$LAST_OUT" \
        "Client certificate: $GOOD_SUBJECT"
    lt_run "curl-none-$v" 10 - curl -sS "${cv[@]}" --cacert "$CA" "https://localhost:$PORT_REQ/"
    lt_expect_rc "TLS $v curl without a certificate: refused" nonzero
done

if command -v gnutls-cli >/dev/null 2>&1; then
    for v in 1.2 1.3; do
        lt_session "gnutls-cli-$v" 10 "$GET" "Client certificate:" gnutls-cli --x509cafile "$CA" \
            --x509certfile "$C/good.pem" --x509keyfile "$RSA_KEY" --priority "NORMAL:-VERS-ALL:+VERS-TLS$v" \
            -p "$PORT_REQ" localhost
        lt_expect_contains "TLS $v gnutls-cli --x509certfile: accepted and named" "$LAST_OUT" \
            "Client certificate: $GOOD_SUBJECT"
    done
else
    lt_log "(gnutls-cli not installed: its cases skipped)"
fi

PY_CLIENT='
import socket, ssl, sys
port, ca, cert, key, ver = sys.argv[1:6]
ctx = ssl.create_default_context(cafile=ca)
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2 if ver == "1.2" else ssl.TLSVersion.TLSv1_3
if cert != "-":
    ctx.load_cert_chain(cert, key)
with socket.create_connection(("127.0.0.1", int(port)), timeout=10) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        try:
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        except ssl.SSLError as e:
            print("SSLError:", e)
            sys.exit(3)
        sys.stdout.write(data.decode())
'
for v in 1.2 1.3; do
    lt_run "py-client-$v" 15 - python3 -c "$PY_CLIENT" "$PORT_REQ" "$CA" "$C/good.pem" "$RSA_KEY" "$v"
    lt_expect_contains "TLS $v Python load_cert_chain: accepted and named" "$LAST_OUT" \
        "Client certificate: $GOOD_SUBJECT"
    lt_run "py-client-none-$v" 15 - python3 -c "$PY_CLIENT" "$PORT_REQ" "$CA" - - "$v"
    if [ "$v" = 1.3 ]; then
        lt_expect_match "TLS 1.3 Python without a certificate: CERTIFICATE_REQUIRED" "$LAST_ALL" \
            "CERTIFICATE_REQUIRED|certificate required"
    else
        lt_expect_match "TLS 1.2 Python without a certificate: HANDSHAKE_FAILURE" "$LAST_ALL" \
            "HANDSHAKE_FAILURE|handshake failure"
    fi
done
lt_stop_server req
lt_stop_server opt

# ------------------------------------------------------------ our client, openssl s_server
# our_client_to SERVER NAME VERSION EXPECT [ARGS...]
our_client_to() {
    local srv=$1 name=$2 v=$3 expect=$4
    shift 4
    lt_session "$name" 10 "ping-$name\n" "$expect" "$LUCIDTLS" client "127.0.0.1:$(lt_port "$srv")" --cafile "$CA" \
        --servername localhost "${OURFLAG[$v]}" "$@"
}

for v in 1.2 1.3; do
    lt_start_openssl_server "ss-good-$v" -naccept 1 -rev -cert "$PKI/chain.pem" -key "$RSA_KEY" -Verify 1 \
        -CAfile "$CA" "${VFLAG[$v]}"
    our_client_to "ss-good-$v" "ours-good-$v" "$v" "doog-sruo" --cert "$C/good.pem" --key "$RSA_KEY"
    lt_expect_rc "TLS $v our --cert against s_server -Verify 1: exit 0" 0
    lt_expect_contains "TLS $v our --cert: data both ways (s_server -rev)" "$LAST_OUT" "$(lt_reverse "ping-ours-good-$v")"
    lt_wait_exit "ss-good-$v"
    lt_expect_match "TLS $v s_server verified our certificate" "$(lt_server_all "ss-good-$v")" \
        "depth=0 .*CN ?= ?mtls good client"
    lt_expect_not_contains "TLS $v s_server reports no verify error" "$(lt_server_all "ss-good-$v")" "verify error"

    lt_start_openssl_server "ss-ec-$v" -naccept 1 -rev -cert "$PKI/chain.pem" -key "$RSA_KEY" -Verify 1 \
        -CAfile "$CA" "${VFLAG[$v]}"
    our_client_to "ss-ec-$v" "ours-ec-$v" "$v" "ce-sruo" --cert "$C/ec.pem" --key "$EC_KEY"
    lt_expect_rc "TLS $v our ECDSA --cert against s_server: exit 0" 0
    lt_wait_exit "ss-ec-$v"
    lt_expect_match "TLS $v s_server verified our ECDSA certificate" "$(lt_server_all "ss-ec-$v")" \
        "depth=0 .*CN ?= ?mtls ecdsa client"

    # -verify_return_error: s_server's own callback would otherwise go on.
    lt_start_openssl_server "ss-untrusted-$v" -naccept 1 -rev -cert "$PKI/chain.pem" -key "$RSA_KEY" -Verify 1 \
        -verify_return_error -CAfile "$CA" "${VFLAG[$v]}"
    our_client_to "ss-untrusted-$v" "ours-untrusted-$v" "$v" "" --cert "$C/untrusted.pem" --key "$RSA_KEY"
    lt_expect_rc "TLS $v our certificate from another CA: refused" nonzero
    lt_expect_match "TLS $v we report s_server's alert unknown_ca" "$LAST_ALL" "unknown_ca|unknown ca"
    lt_wait_exit "ss-untrusted-$v"
    lt_expect_match "TLS $v s_server says why" "$(lt_server_all "ss-untrusted-$v")" \
        "unable to get local issuer|verify error"

    lt_start_openssl_server "ss-none-$v" -naccept 1 -rev -cert "$PKI/chain.pem" -key "$RSA_KEY" -Verify 1 \
        -CAfile "$CA" "${VFLAG[$v]}"
    our_client_to "ss-none-$v" "ours-none-$v" "$v" ""
    lt_expect_rc "TLS $v no client certificate to s_server -Verify: refused" nonzero
    if [ "$v" = 1.3 ]; then
        lt_expect_match "TLS 1.3 we report s_server's alert certificate_required" "$LAST_ALL" \
            "certificate_required|certificate required"
    else
        lt_expect_match "TLS 1.2 we report s_server's alert handshake_failure" "$LAST_ALL" \
            "handshake_failure|handshake failure"
    fi
    lt_wait_exit "ss-none-$v"
    lt_expect_match "TLS $v s_server: the peer did not return a certificate" "$(lt_server_all "ss-none-$v")" \
        "did not return a certificate|peer did not return"
done

# ------------------------------------------------------------ our client, gnutls-serv and python
if command -v gnutls-serv >/dev/null 2>&1; then
    for v in 1.2 1.3; do
        lt_start_server "gs-$v" gnutls-serv -p @PORT@ --echo --require-client-cert --verify-client-cert \
            --x509cafile "$CA" --x509certfile "$PKI/chain.pem" --x509keyfile "$RSA_KEY" \
            --priority "NORMAL:-VERS-ALL:+VERS-TLS$v"
        our_client_to "gs-$v" "ours-gs-$v" "$v" "ping-ours-gs-$v" --cert "$C/good.pem" --key "$RSA_KEY"
        lt_expect_rc "TLS $v our --cert against gnutls-serv --require-client-cert: exit 0" 0
        lt_expect_contains "TLS $v gnutls-serv echoes" "$LAST_OUT" "ping-ours-gs-$v"
        our_client_to "gs-$v" "ours-gs-none-$v" "$v" ""
        lt_expect_rc "TLS $v no certificate to gnutls-serv --require-client-cert: refused" nonzero
        lt_stop_server "gs-$v"
    done
else
    lt_log "(gnutls-serv not installed: its cases skipped)"
fi

PY_SERVER='
import socket, ssl, sys
port_file, chain, key, ca, ver = sys.argv[1:6]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2 if ver == "1.2" else ssl.TLSVersion.TLSv1_3
ctx.load_cert_chain(chain, key)
ctx.load_verify_locations(ca)
ctx.verify_mode = ssl.CERT_REQUIRED
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
open(port_file, "w").write(str(srv.getsockname()[1]))
srv.settimeout(15)
raw, _ = srv.accept()
try:
    with ctx.wrap_socket(raw, server_side=True) as s:
        subject = dict(x[0] for x in s.getpeercert()["subject"])
        print("peer:", subject.get("commonName"), flush=True)
        line = s.recv(4096)
        s.sendall(line[::-1].strip() + b"\n")
except ssl.SSLError as e:
    print("SSLError:", e, flush=True)
'
for v in 1.2 1.3; do
    for case in good none; do
        pf=$WORK/py-$v-$case.port
        rm -f "$pf"
        setsid timeout 30 python3 -c "$PY_SERVER" "$pf" "$PKI/chain.pem" "$RSA_KEY" "$CA" "$v" \
            >"$WORK/py-$v-$case.out" 2>&1 &
        pypid=$!
        lt_adopt "$pypid" "python server $v $case" "python3 -c PY_SERVER"
        for _ in $(seq 1 100); do [ -s "$pf" ] && break; sleep 0.05; done
        # Python closes without close_notify (no unwrap): --ignore-unexpected-eof.
        args=(--ignore-unexpected-eof)
        [ "$case" = good ] && args+=(--cert "$C/good.pem" --key "$RSA_KEY")
        lt_session "ours-py-$v-$case" 10 "ping-py\n" "yp-gnip" "$LUCIDTLS" client "127.0.0.1:$(cat "$pf")" \
            --cafile "$CA" --servername localhost "${OURFLAG[$v]}" "${args[@]}"
        lt_reap "$pypid"
        if [ "$case" = good ]; then
            lt_expect_rc "TLS $v our --cert against Python CERT_REQUIRED: exit 0" 0
            lt_expect_contains "TLS $v Python saw our certificate" "$WORK/py-$v-$case.out" "peer: mtls good client"
            lt_expect_contains "TLS $v Python answered" "$LAST_OUT" "yp-gnip"
        else
            lt_expect_rc "TLS $v no certificate to Python CERT_REQUIRED: refused" nonzero
            lt_expect_match "TLS $v Python refused the handshake" "$WORK/py-$v-$case.out" \
                "SSLError:.*(PEER_DID_NOT_RETURN_A_CERTIFICATE|CERTIFICATE_REQUIRED|certificate)"
        fi
    done
done

lt_finish
