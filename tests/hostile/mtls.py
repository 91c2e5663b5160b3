"""
mtls — hostile mutual-TLS cases (test code only), TLS 1.2 on the wire.

Registered into test_hostile.py's case list by register(h), h being the
harness module (its case, check, ExtraServer, ...), so they run with the
rest from run.sh and `--only mtls` picks them.

Server cases: a bad client against a `lucidtls server --require-client-cert`
and a `--verify-client` one of their own (both trusting the test CA): the
client Certificate and CertificateVerify of RFC 5246 7.4.6 and 7.4.8, each
case asserting the exact alert, the server's log line, and that the server
then serves a good `lucidtls client --cert/--key`. The client identity is
made here from the test PKI: a clientAuth leaf for the test server's RSA key
(a key the hand-made client can sign with in pure Python, PKCS#1 v1.5).

Client cases: a fake server whose CertificateRequest (7.4.4) is broken,
against `lucidtls client --cert/--key`.

TLS 1.3 (where the client's Certificate and the CertificateRequest travel
encrypted) is covered in memory: tests/hs/test_mtls_hostile13.c.
"""
import hashlib
import os
import subprocess

import tls13  # noqa: F401  (names the TLS 1.3 alerts in ALERTS)
from tlsraw import (ALERT_CODES, ALERT_FATAL, CT_ALERT, CT_APPDATA, CT_HANDSHAKE, HS_CERTIFICATE,
                    HS_CLIENT_KEY_EXCHANGE, HS_SERVER_HELLO, HS_SERVER_HELLO_DONE, Client, alert_name, alerts_in,
                    certificate_body, handshake, handshake_types_in, parse_handshakes, pem_to_ders, record,
                    rsa_private_key_from_pem, rsa_public_key_from_cert, u16, u24, vec, ext_reneg_empty,
                    server_hello_body)

HS_CERTIFICATE_REQUEST = 13
HS_CERTIFICATE_VERIFY = 15
RSA_PKCS1_SHA256 = 0x0401
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")

H = None       # the harness module
PKI = {}       # paths and DERs of the client identity
SERVERS = {}   # "require" / "request": ExtraServer


# ---------------------------------------------------------------- RSA PKCS#1 v1.5 by hand

def pkcs1_sha256_em(k, msg):
    t = SHA256_DIGEST_INFO + hashlib.sha256(msg).digest()
    return b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t


def pkcs1_sign(n, d, msg):
    k = (n.bit_length() + 7) // 8
    return pow(int.from_bytes(pkcs1_sha256_em(k, msg), "big"), d, n).to_bytes(k, "big")


def pkcs1_verifies(n, e, msg, sig):
    k = (n.bit_length() + 7) // 8
    return len(sig) == k and pow(int.from_bytes(sig, "big"), e, n).to_bytes(k, "big") == pkcs1_sha256_em(k, msg)


# ---------------------------------------------------------------- setup

def make_identity():
    """A leaf (CN "hostile mtls client", EKU clientAuth) for the test
    server's RSA key, issued by the test CA; the chain leaf, CA."""
    pki = H.T.args.pki
    work = os.path.join(os.path.dirname(os.path.abspath(H.T.args.server_log)), "mtls-%d" % os.getpid())
    os.makedirs(work, exist_ok=True)
    key = os.path.join(pki, "server.key")
    ext = os.path.join(work, "ext.cnf")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=clientAuth\n")
    csr, leaf, chain = (os.path.join(work, n) for n in ("client.csr", "client.pem", "client-chain.pem"))
    subprocess.run(["openssl", "req", "-new", "-key", key, "-subj", "/CN=hostile mtls client", "-out", csr],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", os.path.join(pki, "ca.pem"), "-CAkey",
                    os.path.join(pki, "ca.key"), "-set_serial", str(int.from_bytes(os.urandom(8), "big")),
                    "-days", "2", "-sha256", "-extfile", ext, "-out", leaf], check=True, capture_output=True)
    with open(leaf) as f, open(os.path.join(pki, "ca.pem")) as g, open(chain, "w") as out:
        leaf_pem, ca_pem = f.read(), g.read()
        out.write(leaf_pem + ca_pem)
    with open(key) as f:
        PKI["rsa"] = rsa_private_key_from_pem(f.read())
    PKI.update(key=key, chain=chain, leaf=pem_to_ders(leaf_pem)[0], ca=pem_to_ders(ca_pem)[0])


def server(kind):
    """The `lucidtls server` of this file for `kind` (started once)."""
    if kind not in SERVERS:
        if not PKI:
            make_identity()
        flag = "--require-client-cert" if kind == "require" else "--verify-client"
        SERVERS[kind] = H.ExtraServer(flag, "--client-cafile", os.path.join(H.T.args.pki, "ca.pem"))
    return SERVERS[kind]


def identity_args():
    return ["--cert", PKI["chain"], "--key", PKI["key"]]


# ---------------------------------------------------------------- the hand-made client

class MtlsClient(Client):
    """tlsraw.Client whose server flight may hold a CertificateRequest, and
    that can send a client Certificate and CertificateVerify."""

    def read_server_flight(self, timeout=5.0):
        recs = self.c.read_records(timeout, until=lambda r: HS_SERVER_HELLO_DONE in handshake_types_in(r)
                                   or any(t == CT_ALERT for t, _, _ in r))
        msgs, _ = parse_handshakes(b"".join(b for t, _, b in recs if t == CT_HANDSHAKE))
        self.types = [m[0] for m in msgs]
        self.cert_request = None
        for t, body, raw in msgs:
            self.transcript += raw
            if t == HS_SERVER_HELLO:
                self.server_random = body[2:34]
            elif t == HS_CERTIFICATE:
                lst = body[3:]
                while lst:
                    n = int.from_bytes(lst[:3], "big")
                    self.server_certs.append(lst[3:3 + n])
                    lst = lst[3 + n:]
            elif t == HS_CERTIFICATE_REQUEST:
                self.cert_request = body
        return recs

    def listed_schemes(self):
        """The supported_signature_algorithms of the CertificateRequest."""
        b = self.cert_request
        off = 1 + b[0]
        n = int.from_bytes(b[off:off + 2], "big")
        return [int.from_bytes(b[off + 2 + i:off + 4 + i], "big") for i in range(0, n, 2)]

    def send_hs(self, msg):
        """One message, in records of at most 2^14 bytes (a long chain)."""
        self.transcript += msg
        self.c.send(b"".join(record(CT_HANDSHAKE, msg[i:i + (1 << 14)]) for i in range(0, len(msg), 1 << 14)))

    def certificate(self, ders=None, body=None):
        if body is None:
            body = certificate_body(ders if ders is not None else [PKI["leaf"], PKI["ca"]])
        self.send_hs(handshake(HS_CERTIFICATE, body))

    def certificate_verify(self, scheme=RSA_PKCS1_SHA256, tamper=None):
        """RFC 5246 7.4.8: the signature over handshake_messages so far."""
        n, d = PKI["rsa"]
        sig = pkcs1_sign(n, d, self.transcript)
        if tamper is not None:
            sig = tamper(sig)
        self.send_hs(handshake(HS_CERTIFICATE_VERIFY, u16(scheme) + vec(2, sig)))

    def finish(self):
        self.send_ccs()
        self.send_finished()
        return self.read_server_finish()


def start(kind):
    srv = server(kind)
    cl = MtlsClient(H.HOST, srv.port)
    cl.send_client_hello()
    cl.read_server_flight()
    asked = cl.types == [HS_SERVER_HELLO, HS_CERTIFICATE, HS_CERTIFICATE_REQUEST, HS_SERVER_HELLO_DONE]
    assert asked, "server flight: expected ServerHello, Certificate, CertificateRequest, ServerHelloDone; got %s" % (
        cl.types)
    return srv, cl


def expect_fatal(name, srv, cl, want, log_name, why=None):
    """Exactly one plaintext fatal `want`, then EOF; the server's log line
    names log_name (and matches `why` when given)."""
    recs = cl.c.read_records(5.0)
    got = alerts_in(recs)
    others = [(t, len(b)) for t, _, b in recs if t != CT_ALERT]
    H.check("%s: server answers with fatal %s" % (name, alert_name(want)), got == [(ALERT_FATAL, want)],
            H.fmt_alerts([(ALERT_FATAL, want)]), "%s (other records: %s, eof=%s)" % (H.fmt_alerts(got), others,
                                                                                  cl.c.eof))
    H.check("%s: server closes the connection" % name, cl.c.eof, "EOF after the alert", "still open")
    line = srv.log_line(cl.c.local_port)
    want_line = "handshake failed: " + log_name
    ok = line is not None and line.startswith(want_line) and (why is None or why in line)
    H.check("%s: server logs '%s%s'" % (name, want_line, "... " + why if why else ""), ok, want_line, line)
    cl.c.close()


def expect_established(name, cl):
    ok, why = cl.finish()
    H.check("%s: server's CCS and Finished verify" % name, ok, "a verified server Finished", why)
    if ok:
        cl.send_app(b"mtls-ping")
        got = cl.read_protected(3.0, until=lambda r: len(r) >= 1)
        H.check("%s: echo" % name, got == [(CT_APPDATA, b"mtls-ping")], [(23, b"mtls-ping")], got)
    cl.c.close()


def after(name, kind):
    """The server lives and serves a good mutual-TLS client."""
    srv = server(kind)
    H.check("%s: server process still running" % name, srv.proc.poll() is None, "alive", "exited")
    ok, why, _ = H.run_client(extra=identity_args(), port=srv.port)
    H.check("%s: server then serves a good client with a certificate" % name, ok, "echo of the token", why)


# ---------------------------------------------------------------- the cases

def server_cases():
    case = H.case

    def mcase(title, kind):
        """A case against our --require-client-cert (kind "require") or
        --verify-client ("request") server, then the liveness check."""
        def deco(fn):
            def run(name):
                try:
                    fn(name)
                finally:
                    after(name, kind)
            return case("mtls %s: %s" % ("--require-client-cert" if kind == "require" else "--verify-client",
                                        title), side="mtls")(run)
        return deco

    @mcase("control: Certificate, CertificateVerify (rsa_pkcs1_sha256), Finished", "require")
    def _(name):
        _, cl = start("require")
        cl.certificate()
        cl.send_cke()
        cl.certificate_verify()
        expect_established(name, cl)

    @mcase("control: an empty Certificate when the server only asks", "request")
    def _(name):
        # RFC 5246 7.4.6: "If no suitable certificate is available, the
        # client MUST send a certificate message containing no
        # certificates"; a server that does not require one goes on.
        _, cl = start("request")
        cl.certificate([])
        cl.send_cke()
        expect_established(name, cl)

    @mcase("CertificateVerify instead of the Certificate", "require")
    def _(name):
        srv, cl = start("require")
        cl.certificate_verify()
        expect_fatal(name, srv, cl, ALERT_CODES["unexpected_message"], "LT_ERR_UNEXPECTED_MESSAGE")

    @mcase("CertificateVerify after an empty Certificate", "request")
    def _(name):
        # 7.4.8: sent only "following a client certificate that has signing
        # capability"; with none, the server waits for ChangeCipherSpec.
        srv, cl = start("request")
        cl.certificate([])
        cl.send_cke()
        cl.certificate_verify()
        expect_fatal(name, srv, cl, ALERT_CODES["unexpected_message"], "LT_ERR_UNEXPECTED_MESSAGE")

    @mcase("ClientKeyExchange without any Certificate", "require")
    def _(name):
        srv, cl = start("require")
        cl.send_cke()
        expect_fatal(name, srv, cl, ALERT_CODES["unexpected_message"], "LT_ERR_UNEXPECTED_MESSAGE")

    @mcase("Certificate, ClientKeyExchange, then ChangeCipherSpec without the CertificateVerify", "require")
    def _(name):
        srv, cl = start("require")
        cl.certificate()
        cl.send_cke()
        cl.send_ccs()
        expect_fatal(name, srv, cl, ALERT_CODES["unexpected_message"], "LT_ERR_UNEXPECTED_MESSAGE")

    @mcase("an empty Certificate", "require")
    def _(name):
        # RFC 5246 7.4.6: the server "MAY at its discretion ... respond with
        # a fatal handshake_failure alert" (1.3 has certificate_required).
        srv, cl = start("require")
        cl.certificate([])
        expect_fatal(name, srv, cl, ALERT_CODES["handshake_failure"], "LT_ERR_HANDSHAKE_FAILURE")

    malformed = [
        ("list length overruns the message", u24(5000) + u24(3) + b"abc"),
        ("an entry of 0 bytes", u24(3) + u24(0)),
        ("an entry overruns the list", u24(6) + u24(10) + b"abc"),
        ("trailing bytes after the list", None),
        ("list shorter than the message", None),
    ]
    for title, body in malformed:
        def make(title=title, body=body):
            @mcase("malformed Certificate: " + title, "require")
            def _(name):
                srv, cl = start("require")
                b = body
                if title.startswith("trailing"):
                    b = certificate_body([PKI["leaf"]]) + b"\x00"
                elif title.startswith("list shorter"):
                    inner = vec(3, PKI["leaf"])
                    b = u24(len(inner) - 1) + inner
                cl.certificate(body=b)
                expect_fatal(name, srv, cl, ALERT_CODES["decode_error"], "LT_ERR_DECODE")
        make()

    @mcase("a certificate that is not DER", "require")
    def _(name):
        # The message decodes (RFC 5246 7.4.2: opaque ASN.1Cert<1..2^24-1>);
        # the certificate in it is corrupt: 7.2.2 bad_certificate, "a
        # certificate was corrupt" (as our client says of a server's).
        srv, cl = start("require")
        cl.certificate([b"\x30\x82\x01\x00" + os.urandom(60)])
        expect_fatal(name, srv, cl, ALERT_CODES["bad_certificate"], "LT_ERR_BAD_CERTIFICATE")

    @mcase("CertificateVerify with a scheme the CertificateRequest did not list", "require")
    def _(name):
        # 7.4.8: "The hash and signature algorithms used in the signature
        # MUST be one of those present in the supported_signature_algorithms
        # field of the CertificateRequest message."
        srv, cl = start("require")
        listed = cl.listed_schemes()
        scheme = next(s for s in (0x0201, 0x0301, 0x0101, 0x0402) if s not in listed)
        cl.certificate()
        cl.send_cke()
        cl.certificate_verify(scheme=scheme)
        expect_fatal(name, srv, cl, ALERT_CODES["illegal_parameter"], "LT_ERR_ILLEGAL_PARAMETER",
                     "0x%04x" % scheme)

    @mcase("CertificateVerify whose signature has one bit flipped", "require")
    def _(name):
        srv, cl = start("require")
        cl.certificate()
        cl.send_cke()
        cl.certificate_verify(tamper=lambda s: s[:-1] + bytes([s[-1] ^ 1]))
        expect_fatal(name, srv, cl, ALERT_CODES["decrypt_error"], "LT_ERR_DECRYPT_ERROR")

    @mcase("CertificateVerify signing another transcript (the ClientKeyExchange left out)", "require")
    def _(name):
        srv, cl = start("require")
        cl.certificate()
        before_cke = cl.transcript
        cl.send_cke()
        n, d = PKI["rsa"]
        sig = pkcs1_sign(n, d, before_cke)
        cl.send_hs(handshake(HS_CERTIFICATE_VERIFY, u16(RSA_PKCS1_SHA256) + vec(2, sig)))
        expect_fatal(name, srv, cl, ALERT_CODES["decrypt_error"], "LT_ERR_DECRYPT_ERROR")

    @mcase("the largest chain we take: 102 certificates (the leaf, its CA, 100 more)", "require")
    def _(name):
        # messages.h LT_MAX_PEER_CHAIN: the leaf, up to 100 intermediates
        # (OpenSSL's default depth), the root. Extra copies of the CA are
        # not on the path and do not stop it.
        _, cl = start("require")
        cl.certificate([PKI["leaf"]] + [PKI["ca"]] * 101)
        cl.send_cke()
        cl.certificate_verify()
        expect_established(name, cl)

    @mcase("one certificate over the limit: 103", "require")
    def _(name):
        srv, cl = start("require")
        cl.certificate([PKI["leaf"]] + [PKI["ca"]] * 102)
        expect_fatal(name, srv, cl, ALERT_CODES["bad_certificate"], "LT_ERR_BAD_CERTIFICATE", "limit is 102")

    @case("mtls: a client Certificate the server did not ask for")
    def _(name):
        # RFC 5246 7.4.6: "only sent if the server requests a certificate";
        # our plain server waits for the ClientKeyExchange.
        cl = MtlsClient(H.HOST, H.T.args.port)
        cl.send_client_hello()
        cl.read_server_flight()
        if not PKI:
            make_identity()
        cl.certificate()
        H.expect_fatal(name, cl.c, ALERT_CODES["unexpected_message"], "LT_ERR_UNEXPECTED_MESSAGE")


# ---------------------------------------------------------------- client cases

def cert_request(types=b"\x01\x40", schemes=(0x0401, 0x0804, 0x0403), names=b""):
    return vec(1, types) + vec(2, b"".join(u16(s) for s in schemes)) + vec(2, names)


def fake_flight(*mid):
    """ServerHello, Certificate (the test chain), the given messages."""
    return (handshake(HS_SERVER_HELLO, server_hello_body(extensions=[ext_reneg_empty()])) +
            handshake(HS_CERTIFICATE, certificate_body(H.server_cert_ders())) + b"".join(mid))


def client_cases():
    case = H.case

    def bad_request(name, flight, want, reason_re):
        if not PKI:
            make_identity()
        fs = H.FakeServer()
        fs.start_client(extra=identity_args())
        fs.conn.send(record(CT_HANDSHAKE, flight))
        recs, rc, err = fs.finish()
        got = alerts_in(recs)
        H.check("%s: client sends fatal %s" % (name, alert_name(want)), got == [(ALERT_FATAL, want)],
                H.fmt_alerts([(ALERT_FATAL, want)]), H.fmt_alerts(got))
        H.check_clean_failure(name, rc)
        H.check_one_line(name, err, reason_re)

    shd = handshake(HS_SERVER_HELLO_DONE, b"")

    @case("mtls: control: a CertificateRequest gets Certificate, ClientKeyExchange, CertificateVerify",
          side="client")
    def _(name):
        if not PKI:
            make_identity()
        fs = H.FakeServer()
        fs.start_client(extra=identity_args())
        # Only rsa_pkcs1_sha256 listed: the one scheme this file can check.
        flight = fake_flight(handshake(HS_CERTIFICATE_REQUEST, cert_request(schemes=(RSA_PKCS1_SHA256,))), shd)
        fs.conn.send(record(CT_HANDSHAKE, flight))
        recs = fs.conn.read_records(5.0, until=lambda r: any(t != CT_HANDSHAKE for t, _, _ in r))
        msgs, _ = parse_handshakes(b"".join(b for t, _, b in recs if t == CT_HANDSHAKE))
        types = [m[0] for m in msgs]
        H.check("%s: Certificate, ClientKeyExchange, CertificateVerify" % name,
                types == [HS_CERTIFICATE, HS_CLIENT_KEY_EXCHANGE, HS_CERTIFICATE_VERIFY],
                [HS_CERTIFICATE, HS_CLIENT_KEY_EXCHANGE, HS_CERTIFICATE_VERIFY], types)
        if types == [HS_CERTIFICATE, HS_CLIENT_KEY_EXCHANGE, HS_CERTIFICATE_VERIFY]:
            H.check("%s: the Certificate is our chain" % name,
                    msgs[0][1] == certificate_body([PKI["leaf"], PKI["ca"]]), "leaf, CA", msgs[0][1][:16].hex())
            # 7.4.8: over ClientHello .. ClientKeyExchange.
            transcript = handshake(1, fs.client_hello) + flight + msgs[0][2] + msgs[1][2]
            cv = msgs[2][1]
            scheme, sig = int.from_bytes(cv[:2], "big"), cv[4:]
            n, e = rsa_public_key_from_cert(PKI["leaf"])
            H.check("%s: rsa_pkcs1_sha256 over the transcript, verified" % name,
                    scheme == RSA_PKCS1_SHA256 and pkcs1_verifies(n, e, transcript, sig),
                    "scheme 0x0401, a signature that verifies", "scheme 0x%04x" % scheme)
        fs.conn.shutdown_write()
        fs.finish()

    @case("mtls: CertificateRequest whose certificate_types overruns it", side="client")
    def _(name):
        bad_request(name, fake_flight(handshake(HS_CERTIFICATE_REQUEST, b"\x05\x01"), shd),
                    ALERT_CODES["decode_error"], r"malformed CertificateRequest")

    @case("mtls: CertificateRequest with an empty certificate_types", side="client")
    def _(name):
        # RFC 5246 7.4.4: ClientCertificateType certificate_types<1..2^8-1>.
        bad_request(name, fake_flight(handshake(HS_CERTIFICATE_REQUEST, cert_request(types=b"")), shd),
                    ALERT_CODES["decode_error"], r"malformed CertificateRequest")

    @case("mtls: CertificateRequest with an odd-length signature list", side="client")
    def _(name):
        body = vec(1, b"\x01") + vec(2, b"\x04\x01\x08") + vec(2, b"")
        bad_request(name, fake_flight(handshake(HS_CERTIFICATE_REQUEST, body), shd),
                    ALERT_CODES["decode_error"], r"malformed CertificateRequest")

    @case("mtls: CertificateRequest with a CA name of 0 bytes", side="client")
    def _(name):
        # 7.4.4: opaque DistinguishedName<1..2^16-1>.
        body = cert_request(names=u16(0))
        bad_request(name, fake_flight(handshake(HS_CERTIFICATE_REQUEST, body), shd),
                    ALERT_CODES["decode_error"], r"malformed CertificateRequest")

    @case("mtls: CertificateRequest with trailing bytes", side="client")
    def _(name):
        bad_request(name, fake_flight(handshake(HS_CERTIFICATE_REQUEST, cert_request() + b"\x00"), shd),
                    ALERT_CODES["decode_error"], r"malformed CertificateRequest")

    @case("mtls: two CertificateRequests", side="client")
    def _(name):
        cr = handshake(HS_CERTIFICATE_REQUEST, cert_request())
        bad_request(name, fake_flight(cr, cr, shd), ALERT_CODES["unexpected_message"], r"unexpected")

    @case("mtls: CertificateRequest before the server's Certificate", side="client")
    def _(name):
        flight = (handshake(HS_SERVER_HELLO, server_hello_body(extensions=[ext_reneg_empty()])) +
                  handshake(HS_CERTIFICATE_REQUEST, cert_request()))
        bad_request(name, flight, ALERT_CODES["unexpected_message"], r"unexpected")


def register(harness):
    global H
    H = harness
    server_cases()
    client_cases()


def stop():
    for srv in SERVERS.values():
        srv.stop()
