#!/usr/bin/env bash
# ALPN (RFC 7301) against real peers, TLS 1.2 and TLS 1.3, both directions:
#  - openssl s_client -alpn h2,http/1.1 against `lucidtls server --alpn
#    http/1.1,h2`: the server's preference wins (http/1.1); a client offering
#    none of ours gets alert 120 no_application_protocol; a server with no
#    --alpn answers none;
#  - our client --alpn against openssl s_server -alpn: the protocol chosen,
#    and a mismatch (s_server of OpenSSL 3 answers no_application_protocol);
#  - curl --http2 against `lucidtls server --www --alpn http/1.1`: ALPN picks
#    http/1.1 and curl speaks HTTP/1.1; the page reports ALPN and no
#    resumption;
#  - examples/https_client (ALPN h2,http/1.1, then a second connection that
#    resumes the first one's session) against `lucidtls server --www`;
#  - gnutls-cli --alpn, and Python's set_alpn_protocols /
#    selected_alpn_protocol() both ways;
#  - virtual hosting by SNI (examples/vhost_server.c: the ClientHello hook
#    and lt_conn_set_config) against openssl s_client -servername: each
#    name gets its own certificate.
#
# usage: test_alpn.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli
CA=$PKI/ca.pem

# ------------------------------------------------------------ openssl s_client -> lucidtls server
lt_start_lucidtls_server ALPN --alpn http/1.1,h2 --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
lt_start_lucidtls_server NOALPN --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
for v in tls1_2 tls1_3; do
    lt_session "sc-$v" 10 'ping\n' 'ping' openssl s_client "-$v" -connect "127.0.0.1:$(lt_port ALPN)" \
        -CAfile "$CA" -servername localhost -alpn h2,http/1.1
    lt_expect_contains "$v: s_client offers h2,http/1.1, our server prefers http/1.1: chosen" "$LAST_OUT" \
        "ALPN protocol: http/1.1"
    lt_expect_contains "$v: data echoed after ALPN" "$LAST_OUT" "ping"
    lt_run "sc-mismatch-$v" 10 - openssl s_client "-$v" -connect "127.0.0.1:$(lt_port ALPN)" -CAfile "$CA" \
        -servername localhost -alpn spdy/3,foo
    lt_expect_rc "$v: s_client offers only protocols we do not speak: handshake fails" nonzero
    lt_expect_match "$v: alert 120 no_application_protocol (RFC 7301 3.2)" "$LAST_ALL" \
        "alert number 120|no application protocol"
    lt_session "sc-noalpn-$v" 10 'ping\n' 'ping' openssl s_client "-$v" -connect "127.0.0.1:$(lt_port NOALPN)" \
        -CAfile "$CA" -servername localhost -alpn h2,http/1.1
    lt_expect_contains "$v: a server without --alpn ignores the offer" "$LAST_OUT" "No ALPN negotiated"
    lt_expect_contains "$v: ... and the connection goes on" "$LAST_OUT" "ping"
done
lt_expect_contains "our server said why it refused" "$(lt_server_err ALPN)" \
    "LT_ERR_NO_APPLICATION_PROTOCOL: the client offers ALPN spdy/3, foo; we speak only http/1.1, h2"

# ------------------------------------------------------------ curl and --www
lt_start_lucidtls_server WWW --www --alpn http/1.1 --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
if command -v curl >/dev/null; then
    lt_run curl 15 - curl -sv --http2 --cacert "$CA" --resolve "localhost:$(lt_port WWW):127.0.0.1" \
        "https://localhost:$(lt_port WWW)/"
    lt_expect_rc "curl --http2 against our --www server --alpn http/1.1" 0
    lt_expect_contains "curl: ALPN picked http/1.1" "$LAST_ERR" "ALPN: server accepted http/1.1"
    lt_expect_contains "the page reports the ALPN protocol" "$LAST_OUT" "ALPN protocol: http/1.1"
    lt_expect_contains "the page reports no resumption" "$LAST_OUT" "Resumed: no"
fi

# examples/https_client.c: ALPN and resumption, the README's example.
if [ -x "$BUILD/example_https_client" ]; then
    lt_run example 15 - "$BUILD/example_https_client" localhost "$(lt_port WWW)" "$CA"
    lt_expect_rc "examples/https_client against our --www server" 0
    lt_expect_eq "example: ALPN http/1.1 both times, a full handshake then a resumed one" \
        "new (full handshake)|resumed" \
        "$(sed -n 's/^-- ALPN chose http\/1\.1; session //p' "$LAST_OUT" | paste -sd'|')"
    lt_expect_contains "example: the server's page says it resumed" "$LAST_OUT" "Resumed: yes"
fi

# ------------------------------------------------------------ lucidtls client -> openssl s_server
for v in tls1_2 tls1_3; do
    lt_start_openssl_server "ss-$v" "-$v" -cert "$PKI/chain.pem" -key "$PKI/server.key" -alpn h2 -naccept 1 -rev \
        || lt_finish
    lt_session "lc-$v" 10 'hello\n' 'olleh' "$LUCIDTLS" client "127.0.0.1:$(lt_port "ss-$v")" --cafile "$CA" \
        --servername localhost --alpn http/1.1,h2
    lt_expect_contains "$v: our client offers http/1.1,h2; s_server -alpn h2 chose h2" "$LAST_ERR" \
        "ALPN protocol: h2"
    lt_wait_exit "ss-$v"
    lt_expect_match "$v: s_server saw our offer" "$(lt_server_all "ss-$v")" "ALPN protocols advertised by the client: http/1.1, h2"
    lt_start_openssl_server "ssm-$v" "-$v" -cert "$PKI/chain.pem" -key "$PKI/server.key" -alpn h2 -naccept 1 -rev \
        || lt_finish
    lt_run "lcm-$v" 10 - "$LUCIDTLS" client "127.0.0.1:$(lt_port "ssm-$v")" --cafile "$CA" --servername localhost \
        --alpn spdy/3
    # OpenSSL 3's s_server refuses a mismatch with alert 120.
    lt_expect_rc "$v: no protocol in common with s_server: handshake fails" nonzero
    lt_expect_contains "$v: we report the server's no_application_protocol" "$LAST_ERR" "no_application_protocol"
    lt_wait_exit "ssm-$v"
done

# ------------------------------------------------------------ gnutls
if command -v gnutls-cli >/dev/null; then
    for v in "NORMAL:-VERS-ALL:+VERS-TLS1.2" "NORMAL:-VERS-ALL:+VERS-TLS1.3"; do
        lt_session "gc-${v: -3}" 10 'ping\n' 'ping' gnutls-cli --x509cafile "$CA" --port "$(lt_port ALPN)" \
            --priority "$v" --alpn h2 --alpn http/1.1 localhost
        lt_expect_match "gnutls-cli ${v: -3} --alpn h2 --alpn http/1.1: our server chose http/1.1" "$LAST_ALL" \
            "Application protocol: http/1.1|ALPN.*http/1.1"
    done
fi

# ------------------------------------------------------------ Python both ways
PYC='import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.set_alpn_protocols(["h2", "http/1.1"])
with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as s:
    with ctx.wrap_socket(s, server_hostname="localhost") as t:
        print("selected", t.selected_alpn_protocol(), t.version())'
for v in tls1_2 tls1_3; do
    lt_start_lucidtls_server "PY-$v" "--$v" --alpn http/1.1,h2 --cert "$PKI/chain.pem" --key "$PKI/server.key" \
        || lt_finish
    lt_run "pyc-$v" 10 - python3 -c "$PYC" "$(lt_port "PY-$v")" "$CA"
    lt_expect_contains "Python client ($v) against our server: selected_alpn_protocol() is http/1.1" "$LAST_OUT" \
        "selected http/1.1"
    lt_stop_server "PY-$v"
done
PYS='import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
ctx.set_alpn_protocols(["h2", "http/1.1"])
ls = socket.socket()
ls.bind(("127.0.0.1", int(sys.argv[1])))
ls.listen(1)
c, _ = ls.accept()
t = ctx.wrap_socket(c, server_side=True)
print("selected", t.selected_alpn_protocol(), flush=True)
t.sendall(t.recv(100))
t.close()'
for v in tls1_2 tls1_3; do
    lt_start_server "pys-$v" python3 -c "$PYS" @PORT@ "$PKI/chain.pem" "$PKI/server.key" || lt_finish
    lt_session "lcpy-$v" 10 'hi\n' 'hi' "$LUCIDTLS" client "127.0.0.1:$(lt_port "pys-$v")" --cafile "$CA" \
        --servername localhost "--$v" --alpn http/1.1,h2
    lt_expect_contains "our client ($v) against Python: the server's choice h2 (its preference)" "$LAST_ERR" \
        "ALPN protocol: h2"
    lt_wait_exit "pys-$v"
    lt_expect_contains "Python server ($v): selected_alpn_protocol() is h2" "$(lt_server_out "pys-$v")" "selected h2"
done

# ------------------------------------------------------------ virtual hosting (ClientHello hook)
VHOST=$BUILD/example_vhost_server
if [ -x "$VHOST" ]; then
    # A second identity for "other.example", signed by the same CA.
    openssl req -new -newkey rsa:2048 -nodes -subj "/CN=other.example" -keyout "$WORK/other.key" \
        -out "$WORK/other.csr" 2>/dev/null
    printf 'subjectAltName=DNS:other.example\n' >"$WORK/other.ext"
    openssl x509 -req -in "$WORK/other.csr" -CA "$CA" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 \
        -extfile "$WORK/other.ext" -out "$WORK/other.pem" 2>/dev/null
    lt_start_server VHOST "$VHOST" @PORT@ "$PKI/chain.pem" "$PKI/server.key" other.example "$WORK/other.pem" \
        "$WORK/other.key" || lt_finish
    for v in tls1_2 tls1_3; do
        for name in localhost other.example; do
            lt_session "vh-$v-$name" 10 'ping\n' 'ping' openssl s_client "-$v" -connect "127.0.0.1:$(lt_port VHOST)" \
                -CAfile "$CA" -servername "$name" -verify_hostname "$name" -verify_return_error -alpn h2,http/1.1
            lt_expect_contains "vhost $v, SNI $name: the certificate for $name" "$LAST_OUT" "subject=CN = $name"
            lt_expect_contains "vhost $v, SNI $name: verified for that name" "$LAST_OUT" "Verify return code: 0 (ok)"
            lt_expect_contains "vhost $v, SNI $name: data echoed" "$LAST_OUT" "ping"
        done
        lt_expect_contains "vhost $v: other.example's config has ALPN h2" "$WORK/vh-$v-other.example.out" \
            "ALPN protocol: h2"
        lt_run "vh-$v-bad" 10 - openssl s_client "-$v" -connect "127.0.0.1:$(lt_port VHOST)" -CAfile "$CA" \
            -servername nobody.example
        lt_expect_match "vhost $v: an unknown name is refused with the hook's alert unrecognized_name (112)" \
            "$LAST_ALL" "alert number 112|unrecognized name"
    done
fi
lt_finish
