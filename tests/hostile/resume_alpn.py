"""
resume_alpn — hostile ALPN (RFC 7301) and TLS 1.2 resumption (RFC 5246
7.3, RFC 5077 session tickets, RFC 7627 5.3) cases, TLS 1.2 on the wire
(test code only).

Registered into test_hostile.py's case list by register(h), h being the
harness module, as mtls.py is; `--only 'alpn|resumption|ticket'` picks them.

Server cases, against a `lucidtls server --alpn h2,http/1.1` of this file's
own (ALPN) or run.sh's plain server (tickets): each asserts the exact alert
and the server's log line, or the full handshake that must follow, and then
that the server serves a good `lucidtls client`.

Client cases: a hand-made server (tlsraw.RawServerConn, here with the
extended master secret so that our client keeps and offers its session)
answering `lucidtls client --alpn h2` or `--reconnect 1` badly; each asserts
the alert the client sends (decrypted when it comes after its
ChangeCipherSpec), its exit status and its one line on stderr.

The 33-byte session ID of a ClientHello (RFC 5246 7.4.1.2: SessionID
<0..32>) is test_hostile.py's "malformed ClientHello" case already.
"""
import hashlib
import os
import re

from tlsraw import *  # noqa: F401,F403,E402
import tlsraw  # noqa: E402
import tls13  # noqa: F401,E402  (names no_application_protocol in ALERTS)

EXT_ALPN = 16
EXT_SESSION_TICKET = 35
HS_NEW_SESSION_TICKET = 4
NO_APP = 120  # no_application_protocol (RFC 7301 3.2)

H = None        # the harness module
SERVERS = {}    # "alpn": ExtraServer


# ---------------------------------------------------------------- encodings

def alpn_list(names):
    return b"".join(vec(1, n) for n in names)


def ext_alpn(names=None, raw=None):
    """The ALPN extension: a protocol_name_list of `names`, or `raw` as the
    extension_data."""
    return ext(EXT_ALPN, raw if raw is not None else vec(2, alpn_list(names)))


def ext_ticket(ticket=b""):
    return ext(EXT_SESSION_TICKET, ticket)


def server_hello_exts(body):
    """{type: data} of a ServerHello body's extensions."""
    sid = body[34]
    off = 35 + sid + 3
    out = {}
    if len(body) <= off:
        return out
    end = off + 2 + int.from_bytes(body[off:off + 2], "big")
    off += 2
    while off < end:
        t, n = int.from_bytes(body[off:off + 2], "big"), int.from_bytes(body[off + 2:off + 4], "big")
        out[t] = body[off + 4:off + 4 + n]
        off += 4 + n
    return out


def hello_session_id(body):
    """The session_id of a ClientHello or ServerHello body."""
    return body[35:35 + body[34]]


# ---------------------------------------------------------------- the hand-made client

class RawClient(Client):
    """tlsraw.Client that sends a ClientHello of any size (in records of at
    most 2^14 bytes) and takes a NewSessionTicket before the server's
    ChangeCipherSpec (RFC 5077 3.3)."""

    def send_client_hello(self, **kw):
        kw.setdefault("random", self.client_random)
        kw.setdefault("suites", (TLS_RSA_WITH_AES_128_CBC_SHA,))
        msg = client_hello(**kw)
        self.transcript += msg
        self.c.send(b"".join(record(CT_HANDSHAKE, msg[i:i + (1 << 14)], version=0x0301)
                             for i in range(0, len(msg), 1 << 14)))

    def server_hello(self):
        data = b"".join(b for t, _, b in self.server_flight_records if t == CT_HANDSHAKE)
        msgs, _ = parse_handshakes(data)
        return msgs[0][1]

    def read_server_finish(self, timeout=5.0):
        """[NewSessionTicket,] ChangeCipherSpec, Finished: (ok, detail, the
        NewSessionTicket body or None)."""
        recs = self.c.read_records(timeout, until=lambda r: any(t == CT_CCS for t, _, _ in r) and r[-1][0] != CT_CCS
                                   or any(t == CT_ALERT for t, _, _ in r))
        nst = None
        if recs and recs[0][0] == CT_HANDSHAKE:
            msgs, _ = parse_handshakes(recs[0][2])
            if [m[0] for m in msgs] == [HS_NEW_SESSION_TICKET]:
                nst = msgs[0][1]
                self.transcript += msgs[0][2]
                recs = recs[1:]
        if len(recs) < 2 or recs[0][0] != CT_CCS or recs[1][0] != CT_HANDSHAKE:
            return False, "expected CCS then Finished, got %s (alerts %s)" % (
                [(t, len(b)) for t, _, b in recs], alerts_in(recs)), nst
        fin = self.read.open(CT_HANDSHAKE, recs[1][2])
        want = handshake(HS_FINISHED, prf(self.master, b"server finished", hashlib.sha256(self.transcript).digest(),
                                          12))
        if fin != want:
            return False, "the server's Finished does not verify", nst
        return True, "server Finished verified", nst


# ---------------------------------------------------------------- server side: helpers

def alpn_server():
    if "alpn" not in SERVERS:
        SERVERS["alpn"] = H.ExtraServer("--alpn", "h2,http/1.1")
    return SERVERS["alpn"]


def after_alpn(name):
    srv = alpn_server()
    H.check("%s: server process still running" % name, srv.proc.poll() is None, "alive", "exited")
    ok, why, _ = H.run_client(extra=["--alpn", "h2"], port=srv.port)
    H.check("%s: server then serves a good client with ALPN h2" % name, ok, "echo of the token", why)


def expect_fatal(name, srv, c, want, log_name):
    """Exactly one plaintext fatal `want`, then EOF; srv's log names log_name."""
    recs = c.read_records(5.0)
    got = alerts_in(recs)
    others = [(t, len(b)) for t, _, b in recs if t != CT_ALERT]
    H.check("%s: server answers with fatal %s" % (name, alert_name(want)), got == [(ALERT_FATAL, want)],
            H.fmt_alerts([(ALERT_FATAL, want)]), "%s (other records: %s, eof=%s)" % (H.fmt_alerts(got), others, c.eof))
    H.check("%s: server closes the connection" % name, c.eof, "EOF after the alert", "still open")
    line = srv.log_line(c.local_port) if srv is not None else H.server_log_line(c.local_port)
    want_line = "handshake failed: " + log_name
    H.check("%s: server logs '%s'" % (name, want_line), line is not None and line.startswith(want_line),
            want_line, line)
    c.close()


def hello_exts(*more):
    return default_extensions() + list(more)


def complete(name, cl, want_ticket=False):
    """CKE, CCS, Finished; the server's [NewSessionTicket,] CCS, Finished
    verify; an echo. Returns the NewSessionTicket body (or None)."""
    cl.send_cke()
    cl.send_ccs()
    cl.send_finished()
    ok, why, nst = cl.read_server_finish()
    H.check("%s: the server's Finished verifies" % name, ok, "a verified server Finished", why)
    if want_ticket:
        H.check("%s: the server sends a NewSessionTicket before its ChangeCipherSpec (RFC 5077 3.3)" % name,
                nst is not None, "a NewSessionTicket", nst)
    if ok:
        cl.send_app(b"resume-alpn-ping")
        got = cl.read_protected(3.0, until=lambda r: len(r) >= 1)
        H.check("%s: echo" % name, got == [(CT_APPDATA, b"resume-alpn-ping")], "the echo", got)
    cl.c.close()
    return nst


# ---------------------------------------------------------------- server cases

def server_cases():
    case = H.case

    def acase(title):
        def deco(fn):
            def run(name):
                try:
                    fn(name)
                finally:
                    after_alpn(name)
            return case("alpn --alpn h2,http/1.1: " + title, side="resume_alpn")(run)
        return deco

    # RFC 7301 3.1: ProtocolName protocol_name_list<2..2^16-1>, each
    # ProtocolName<1..2^8-1>; the list fills the extension_data exactly.
    malformed = [
        ("an empty list", vec(2, b"")),
        ("no list at all (empty extension_data)", b""),
        ("a name of 0 bytes", vec(2, b"\x00" + vec(1, b"h2"))),
        ("a name that runs past the list", vec(2, b"\x05h2")),
        ("trailing bytes after the list", vec(2, vec(1, b"h2")) + b"\x00"),
        ("a list length longer than the extension", u16(10) + vec(1, b"h2")),
        ("a list length shorter than the extension", u16(2) + vec(1, b"h2") + vec(1, b"http/1.1")),
    ]
    for title, data in malformed:
        def make(title=title, data=data):
            @acase("malformed ALPN: " + title)
            def _(name):
                srv = alpn_server()
                c = H.Conn(H.HOST, srv.port)
                c.send(record(CT_HANDSHAKE, client_hello(extensions=hello_exts(ext_alpn(raw=data))), version=0x0301))
                expect_fatal(name, srv, c, ALERT_CODES["decode_error"], "LT_ERR_DECODE")
        make()

    @acase("no name in common -> no_application_protocol")
    def _(name):
        # RFC 7301 3.2: "In the event that the server supports no protocols
        # that the client advertises, then the server SHALL respond with a
        # fatal 'no_application_protocol' alert."
        srv = alpn_server()
        c = H.Conn(H.HOST, srv.port)
        c.send(record(CT_HANDSHAKE, client_hello(extensions=hello_exts(ext_alpn([b"spdy/3", b"h2c", b"H2"]))),
                      version=0x0301))
        expect_fatal(name, srv, c, NO_APP, "LT_ERR_NO_APPLICATION_PROTOCOL")

    @acase("two ALPN extensions -> illegal_parameter")
    def _(name):
        # RFC 5246 7.4.1.4: "There MUST NOT be more than one extension of the
        # same type." It names no alert; RFC 8446 4.2 says illegal_parameter
        # for a duplicate in any hello, and our parser (messages.c
        # parse_extensions) answers so for both versions.
        srv = alpn_server()
        c = H.Conn(H.HOST, srv.port)
        c.send(record(CT_HANDSHAKE, client_hello(extensions=hello_exts(ext_alpn([b"h2"]), ext_alpn([b"h2"]))),
                      version=0x0301))
        expect_fatal(name, srv, c, ALERT_CODES["illegal_parameter"], "LT_ERR_ILLEGAL_PARAMETER")

    @acase("the largest legal list, ours last: accepted, and that one chosen")
    def _(name):
        # The extensions block is <0..2^16-1>: the list fills all of it that
        # the other extensions and the ALPN headers leave (RFC 7301 3.1 lets
        # it be up to 2^16-1; the block is the tighter bound).
        others = b"".join(default_extensions())
        room = 0xFFFF - len(others) - 4 - 2
        last = vec(1, b"http/1.1")
        names, left = [], room - len(last)
        i = 0
        while left > 0:
            n = min(255, left - 1)
            if n < 1:           # one byte left: widen the one before
                names[-1] = names[-1][:-1]
                left += 1
                continue
            names.append(("x%05d" % i).encode().ljust(n, b"y")[:n])
            left -= n + 1
            i += 1
        lst = alpn_list(names) + last
        assert len(lst) == room, (len(lst), room)
        srv = alpn_server()
        cl = RawClient(H.HOST, srv.port)
        cl.send_client_hello(extensions=hello_exts(ext(EXT_ALPN, vec(2, lst))))
        cl.read_server_flight()
        exts = server_hello_exts(cl.server_hello())
        H.check("%s: the ServerHello chooses http/1.1 (%d names offered, %d bytes)" % (name, len(names) + 1, len(lst)),
                exts.get(EXT_ALPN) == vec(2, vec(1, b"http/1.1")), vec(2, vec(1, b"http/1.1")).hex(),
                exts.get(EXT_ALPN, b"(none)").hex() if EXT_ALPN in exts else "no ALPN")
        complete(name, cl)

    @acase("control: h2 preferred over http/1.1 whatever the client's order")
    def _(name):
        srv = alpn_server()
        cl = RawClient(H.HOST, srv.port)
        cl.send_client_hello(extensions=hello_exts(ext_alpn([b"http/1.1", b"h2"])))
        cl.read_server_flight()
        exts = server_hello_exts(cl.server_hello())
        H.check("%s: the ServerHello chooses h2" % name, exts.get(EXT_ALPN) == vec(2, vec(1, b"h2")),
                "h2", exts.get(EXT_ALPN))
        complete(name, cl)

    # ---- RFC 5077 tickets against run.sh's server (tickets on by default)
    for size in (1, 100, 0xFFFF - len(b"".join(default_extensions())) - 4):
        def make(size=size):
            @case("ticket: a garbage SessionTicket of %d bytes gets a full handshake" % size)
            def _(name):
                # RFC 5077 3.4: a ticket the server cannot use means a full
                # handshake, "as if no ticket had been sent"; the largest
                # fills the extensions block.
                cl = RawClient(H.HOST, H.T.args.port)
                cl.send_client_hello(extensions=hello_exts(ext_ticket(os.urandom(size))))
                cl.read_server_flight()  # asserts ServerHello, Certificate, ServerHelloDone: a full handshake
                sh = cl.server_hello()
                exts = server_hello_exts(sh)
                H.check("%s: the ServerHello promises a new ticket (an empty SessionTicket)" % name,
                        exts.get(EXT_SESSION_TICKET) == b"", b"", exts.get(EXT_SESSION_TICKET))
                nst = complete(name, cl, want_ticket=True)
                if nst is not None:
                    n = int.from_bytes(nst[4:6], "big")
                    H.check("%s: a well-formed NewSessionTicket with a ticket in it" % name,
                            len(nst) == 6 + n and n > 0, "lifetime, ticket<1..>", nst[:8].hex())
        make()

    @case("ticket: a NewSessionTicket sent by the client")
    def _(name):
        # RFC 5077 3.3: only the server sends it; in place of the
        # ClientKeyExchange it is the wrong message.
        cl = RawClient(H.HOST, H.T.args.port)
        cl.send_client_hello(extensions=hello_exts(ext_ticket()))
        cl.read_server_flight()
        cl.c.send(record(CT_HANDSHAKE, handshake(HS_NEW_SESSION_TICKET, b"\x00\x00\x00\x00" + vec(2, b"t" * 32))))
        H.expect_fatal(name, cl.c, ALERT_CODES["unexpected_message"], "LT_ERR_UNEXPECTED_MESSAGE")

    @case("ticket: a NewSessionTicket sent by the client as its first message")
    def _(name):
        c = H.connect()
        c.send(record(CT_HANDSHAKE, handshake(HS_NEW_SESSION_TICKET, b"\x00\x00\x00\x00" + vec(2, b"t" * 32)),
                      version=0x0301))
        H.expect_fatal(name, c, ALERT_CODES["unexpected_message"], "LT_ERR_UNEXPECTED_MESSAGE")


# ---------------------------------------------------------------- server side: resumption by an EMS client

class EmsClient(RawClient):
    """RawClient with the extended master secret (RFC 7627 4), so that our
    server keeps its session resumable (RFC 7627 5.3), and the abbreviated
    handshake (RFC 5246 7.3)."""

    def send_client_hello(self, **kw):
        kw.setdefault("extensions", default_extensions() + [ext(EXT_EMS)])
        RawClient.send_client_hello(self, **kw)

    def derive(self):
        if self.pms is not None:
            self.master = prf(self.pms, b"extended master secret", hashlib.sha256(self.transcript).digest(), 48)
        kb = prf(self.master, b"key expansion", self.server_random + self.client_random, 2 * 20 + 2 * 16 + 2 * 16)
        self.write = tlsraw.CbcSha(kb[0:20], kb[40:56])
        self.read = tlsraw.CbcSha(kb[20:40], kb[56:72])

    def read_hello_and_next(self, timeout=5.0):
        """The ServerHello and what follows it, up to a ServerHelloDone, a
        ChangeCipherSpec and the record after it, or an alert: (ServerHello
        body, handshake types, records)."""
        def enough(r):
            types = [t for t, _, _ in r]
            return (HS_SERVER_HELLO_DONE in handshake_types_in(r) or CT_ALERT in types or
                    (CT_CCS in types and types.index(CT_CCS) < len(types) - 1))
        recs = self.c.read_records(timeout, until=enough)
        plain = []
        for t, v, b in recs:
            if t == CT_CCS:
                break
            plain.append((t, v, b))
        msgs, _ = parse_handshakes(b"".join(b for t, _, b in plain if t == CT_HANDSHAKE))
        sh = msgs[0][1] if msgs and msgs[0][0] == HS_SERVER_HELLO else None
        if sh is not None:
            self.server_random = sh[2:34]
            self.transcript += b"".join(m[2] for m in msgs)
        return sh, [m[0] for m in msgs], recs


def ems_session(name):
    """A full EMS handshake with run.sh's server, no SessionTicket (so that
    the session lives under an ID in its cache): (session ID, master)."""
    cl = EmsClient(H.HOST, H.T.args.port)
    cl.send_client_hello()
    cl.read_server_flight()
    sid = hello_session_id(cl.server_hello())
    complete(name + " (the first connection)", cl)
    H.check("%s: the first connection gets a 32-byte session ID" % name, len(sid) == 32, 32, len(sid))
    return sid, cl.master


def offer_session(name, sid, master, **hello):
    cl = EmsClient(H.HOST, H.T.args.port)
    cl.master = master
    cl.send_client_hello(session_id=sid, **hello)
    sh, types, recs = cl.read_hello_and_next()
    H.check("%s: a ServerHello" % name, sh is not None, "ServerHello", (types, alerts_in(recs)))
    return cl, sh, types, recs


def expect_full_handshake(name, sid, sh, types):
    """RFC 5246 7.4.1.3: a new session ID, and the full flight."""
    got = hello_session_id(sh) if sh is not None else None
    H.check("%s: not resumed: a new session ID and the full flight" % name,
            got is not None and got != sid and types[:2] == [HS_SERVER_HELLO, HS_CERTIFICATE],
            "a new session ID, then Certificate", "%s, %s" % (got.hex() if got else None, types))


def resumption_server_cases():
    case = H.case

    @case("resumption: control: an EMS client resumes its session by ID")
    def _(name):
        sid, master = ems_session(name)
        cl, sh, types, recs = offer_session(name, sid, master)
        H.check("%s: the ServerHello echoes the session ID, then ChangeCipherSpec" % name,
                sh is not None and hello_session_id(sh) == sid and types == [HS_SERVER_HELLO] and
                any(t == CT_CCS for t, _, _ in recs), "echo, CCS", (types, [t for t, _, _ in recs]))
        if sh is None or hello_session_id(sh) != sid:
            cl.c.close()
            return
        cl.derive()
        after = recs[[t for t, _, _ in recs].index(CT_CCS) + 1:]
        fin = cl.read.open(CT_HANDSHAKE, after[0][2]) if after else None
        want = handshake(HS_FINISHED, prf(master, b"server finished", hashlib.sha256(cl.transcript).digest(), 12))
        H.check("%s: the server's Finished verifies under the session's master secret" % name, fin == want,
                want.hex(), fin.hex() if fin else None)
        cl.transcript += want
        cl.send_ccs()
        vd = prf(master, b"client finished", hashlib.sha256(cl.transcript).digest(), 12)
        cl.c.send(cl.write.seal(CT_HANDSHAKE, handshake(HS_FINISHED, vd)))
        cl.send_app(b"resumed-ping")
        got = cl.read_protected(3.0, until=lambda r: len(r) >= 1)
        H.check("%s: echo over the resumed session" % name, got == [(CT_APPDATA, b"resumed-ping")], "the echo", got)
        cl.c.close()

    @case("resumption: an EMS client offers its session without the session's suite")
    def _(name):
        # RFC 5246 7.4.1.2: the client "MUST include the cipher_suite from
        # that session"; 7.4.1.3: the server "MUST resume with the same
        # cipher suite", so it cannot resume: a full handshake.
        sid, master = ems_session(name)
        cl, sh, types, _ = offer_session(name, sid, master, suites=(0x0035,))
        expect_full_handshake(name, sid, sh, types)
        cl.c.close()

    @case("resumption: an EMS client offers its session with another server_name")
    def _(name):
        # RFC 6066 3: the server "MUST NOT accept the request to resume the
        # session if the server_name extension contains a different name";
        # the session was made with none.
        sid, master = ems_session(name)
        cl, sh, types, _ = offer_session(name, sid, master,
                                         extensions=default_extensions() + [ext(EXT_EMS), ext_sni("other.example")])
        expect_full_handshake(name, sid, sh, types)
        cl.c.close()

    @case("resumption: an EMS session offered without extended_master_secret")
    def _(name):
        # RFC 7627 5.3: "If the original session used the
        # extended_master_secret extension but the new ClientHello does not
        # contain it, the server MUST abort the abbreviated handshake."
        sid, master = ems_session(name)
        c = H.connect()
        c.send(record(CT_HANDSHAKE, client_hello(session_id=sid), version=0x0301))
        H.expect_fatal(name, c, ALERT_CODES["handshake_failure"], "LT_ERR_HANDSHAKE_FAILURE")


# ---------------------------------------------------------------- client side: a server by hand

class EmsServerConn(tlsraw.RawServerConn):
    """RawServerConn with the extended master secret (RFC 7627 4: the
    session hash is the transcript through the ClientKeyExchange), a chosen
    session ID and chosen ServerHello extensions, so that our client keeps
    the session and offers it on --reconnect."""

    ems = True

    def derive(self):
        if not self.ems:
            return tlsraw.RawServerConn.derive(self)
        self.master = prf(self.pms, b"extended master secret", hashlib.sha256(self.transcript).digest(), 48)
        self.keys_from_master()

    def keys_from_master(self):
        kb = prf(self.master, b"key expansion", self.server_random + self.client_random, 2 * 20 + 2 * 16 + 2 * 16)
        self.read = tlsraw.CbcSha(kb[0:20], kb[40:56])
        self.write = tlsraw.CbcSha(kb[20:40], kb[56:72])

    def hello(self, session_id=b"", suite=TLS_RSA_WITH_AES_128_CBC_SHA, extensions=None):
        if extensions is None:
            extensions = [ext_reneg_empty()] + ([ext(EXT_EMS)] if self.ems else [])
        return handshake(HS_SERVER_HELLO, server_hello_body(suite=suite, random=self.server_random,
                                                            session_id=session_id, extensions=extensions))

    def send_flight(self, session_id=b"", extensions=None):
        flight = (self.hello(session_id, extensions=extensions) +
                  handshake(HS_CERTIFICATE, certificate_body(self.cert_ders)) + handshake(HS_SERVER_HELLO_DONE, b""))
        self.transcript += flight
        self.c.send(record(CT_HANDSHAKE, flight))

    def offered_session_id(self):
        return hello_session_id(self.client_hello)

    def alerts(self, timeout=5.0):
        """The client's alerts: plaintext ones, or protected ones once we
        derived its keys, and whether it then closed."""
        recs, self.queued = self.queued, []
        recs += self.c.read_records(timeout)
        out = []
        for t, _, b in recs:
            if t != CT_ALERT:
                continue
            if self.read is not None:
                pt = self.read.open(t, b)
                b = pt if pt is not None else b
            out += [(b[i], b[i + 1]) for i in range(0, len(b) - 1, 2)]
        return out


class EmsServer(tlsraw.RawServer):
    def accept(self, timeout=5.0):
        self.lsock.settimeout(timeout)
        s, _ = self.lsock.accept()
        return EmsServerConn(s, self.cert_ders, self.rsa_key)


def ems_server():
    return EmsServer(os.path.join(H.T.args.pki, "chain.pem"), os.path.join(H.T.args.pki, "server.key"))


def client_verdict(name, conn, p, want, reason_re):
    """The client sends fatal `want` (decrypted if need be), exits 1..127
    and its last stderr line matches reason_re."""
    got = conn.alerts()
    H.check("%s: client sends fatal %s" % (name, alert_name(want)), got == [(ALERT_FATAL, want)],
            H.fmt_alerts([(ALERT_FATAL, want)]), H.fmt_alerts(got))
    rc, out, err, _ = H.client_result(p)
    conn.close()
    H.check_clean_failure(name, rc)
    lines = [ln for ln in err.splitlines() if ln.strip()]
    H.check("%s: client's last line says why" % name,
            bool(lines) and lines[-1].startswith("lucidtls: ") and re.search(reason_re, lines[-1], re.I) is not None,
            "'lucidtls: ...' matching /%s/i" % reason_re, lines[-3:])


def resumed_hello(conn, session, session_id=None, suite=TLS_RSA_WITH_AES_128_CBC_SHA, ems=True):
    """A ServerHello that resumes `session` (its master secret): the keys
    are derived, nothing is sent yet."""
    exts = [ext_reneg_empty()] + ([ext(EXT_EMS)] if ems else [])
    msg = handshake(HS_SERVER_HELLO, server_hello_body(
        suite=suite, random=conn.server_random,
        session_id=conn.offered_session_id() if session_id is None else session_id, extensions=exts))
    conn.transcript += msg
    conn.master = session
    conn.keys_from_master()
    return msg


def client_cases():
    case = H.case

    def alpn_answer(name, data, want, reason_re, offer=("--alpn", "h2")):
        srv = ems_server()
        p = H.start_lucidtls_client(srv.port, b"", list(offer))
        try:
            conn = srv.accept()
            conn.read_client_hello()
            conn.send_flight(extensions=[ext_reneg_empty(), ext(EXT_EMS), ext(EXT_ALPN, data)])
            client_verdict(name, conn, p, want, reason_re)
        finally:
            srv.close()

    @case("alpn: client --alpn h2: a ServerHello answering with two names", side="client")
    def _(name):
        # RFC 7301 3.1: the server's list "MUST contain exactly one
        # ProtocolName"; two is a bad value (illegal_parameter).
        alpn_answer(name, vec(2, alpn_list([b"h2", b"http/1.1"])), ALERT_CODES["illegal_parameter"], r"ServerHello")

    @case("alpn: client --alpn h2: a ServerHello choosing a name we did not offer", side="client")
    def _(name):
        # RFC 7301 3.1: a protocol "that was advertised by the client".
        alpn_answer(name, vec(2, alpn_list([b"http/1.1"])), ALERT_CODES["illegal_parameter"], r"did not offer")

    @case("alpn: client --alpn h2: a ServerHello with an empty name", side="client")
    def _(name):
        alpn_answer(name, vec(2, b"\x00"), ALERT_CODES["decode_error"], r"malformed ServerHello")

    @case("alpn: client --alpn h2: a ServerHello with an empty list", side="client")
    def _(name):
        alpn_answer(name, vec(2, b""), ALERT_CODES["decode_error"], r"malformed ServerHello")

    @case("alpn: client without --alpn: a ServerHello with ALPN", side="client")
    def _(name):
        # RFC 5246 7.4.1.4: an extension in the ServerHello that the client
        # did not offer -> unsupported_extension.
        alpn_answer(name, vec(2, alpn_list([b"h2"])), ALERT_CODES["unsupported_extension"], r"extension", offer=())

    @case("alpn: control: client --alpn h2,http/1.1 takes http/1.1", side="client")
    def _(name):
        srv = ems_server()
        p = H.start_lucidtls_client(srv.port, b"PING\n", ["--alpn", "h2,http/1.1"])
        try:
            conn = srv.accept()
            ch = conn.read_client_hello()
            conn.send_flight(extensions=[ext_reneg_empty(), ext(EXT_EMS), ext_alpn([b"http/1.1"])])
            conn.read_client_finish()
            conn.send_finish()
            got = conn.read_until_close_notify()
            conn.send_close_notify()
            conn.close()
        finally:
            srv.close()
        rc, out, err, _ = H.client_result(p)
        H.check("%s: the client offered h2, http/1.1" % name, vec(2, alpn_list([b"h2", b"http/1.1"])) in ch,
                "the list in the ClientHello", ch[-40:].hex())
        H.check("%s: the client's data arrives and it exits 0" % name,
                (CT_APPDATA, b"PING\n") in got and rc == 0, "PING, exit 0", "%s, exit %s" % (got, rc))
        H.check("%s: the client reports http/1.1" % name, "ALPN protocol: http/1.1" in err, "ALPN protocol: http/1.1",
                err.strip()[-200:])

    # ---- NewSessionTicket (RFC 5077 3.3) to our client

    def after_finished(name, sh_exts, then, want, reason_re):
        srv = ems_server()
        p = H.start_lucidtls_client(srv.port, b"")
        try:
            conn = srv.accept()
            conn.read_client_hello()
            conn.send_flight(extensions=sh_exts)
            conn.read_client_finish()
            conn.c.send(then(conn))
            client_verdict(name, conn, p, want, reason_re)
        finally:
            srv.close()

    def nst(body):
        return record(CT_HANDSHAKE, handshake(HS_NEW_SESSION_TICKET, body))

    @case("ticket: a NewSessionTicket after a ServerHello without SessionTicket", side="client")
    def _(name):
        # RFC 5077 3.3: "If the server determines that it does not want to
        # include a ticket after it has included the SessionTicket extension
        # in the ServerHello, then it sends a zero-length ticket"; without
        # the extension the message is not expected at all.
        after_finished(name, [ext_reneg_empty(), ext(EXT_EMS)], lambda c: nst(b"\x00\x00\x00\x10" + vec(2, b"t" * 40)),
                       ALERT_CODES["unexpected_message"], r"unexpected")

    with_ticket = [ext_reneg_empty(), ext(EXT_EMS), ext_ticket()]
    for title, body in (("shorter than its lifetime_hint", b"\x00\x00\x01"),
                        ("a ticket length past the message", b"\x00\x00\x00\x10" + u16(50) + b"t" * 40),
                        ("trailing bytes after the ticket", b"\x00\x00\x00\x10" + vec(2, b"t" * 40) + b"\x00")):
        def make(title=title, body=body):
            @case("ticket: a malformed NewSessionTicket: " + title, side="client")
            def _(name):
                # RFC 5077 3.3: uint32 ticket_lifetime_hint; opaque
                # ticket<0..2^16-1>, and nothing after it.
                after_finished(name, with_ticket, lambda c: nst(body), ALERT_CODES["decode_error"],
                               r"malformed NewSessionTicket")
        make()

    @case("ticket: control: our client takes a ticket, offers it with --reconnect 1", side="client")
    def _(name):
        srv = ems_server()
        p = H.start_lucidtls_client(srv.port, b"", ["--reconnect", "1"])
        ticket = os.urandom(80)
        try:
            conn = srv.accept()
            conn.read_client_hello()
            conn.send_flight(extensions=with_ticket)
            conn.read_client_finish()
            conn.c.send(nst(b"\x00\x00\x0e\x10" + vec(2, ticket)))
            conn.transcript += handshake(HS_NEW_SESSION_TICKET, b"\x00\x00\x0e\x10" + vec(2, ticket))
            conn.send_finish()
            conn.read_until_close_notify(3.0)
            conn.close()
            nxt = srv.accept()
            ch = nxt.read_client_hello()
            nxt.close()
        finally:
            srv.close()
        H.client_result(p)
        H.check("%s: the second ClientHello carries the ticket" % name, ext_ticket(ticket) in ch,
                "SessionTicket with our 80 bytes", ch.hex()[:80])
        H.check("%s: and a session ID of its own (RFC 5077 3.4)" % name, len(hello_session_id(ch)) == 32, 32,
                len(hello_session_id(ch)))

    # ---- the resuming ServerHello (RFC 5246 7.4.1.3) to our client

    def reconnect_case(name, second, want, reason_re):
        """--reconnect 1: a full handshake under session ID A, then
        second(conn, master) answers the offer."""
        srv = ems_server()
        p = H.start_lucidtls_client(srv.port, b"", ["--reconnect", "1"])
        sid = os.urandom(32)
        try:
            conn = srv.accept()
            conn.read_client_hello()
            conn.send_flight(session_id=sid)
            conn.read_client_finish()
            conn.send_finish()
            conn.read_until_close_notify(3.0)
            conn.close()
            master = conn.master
            nxt = srv.accept()
            nxt.read_client_hello()
            offered = nxt.offered_session_id()
            H.check("%s: the client offers the session's ID" % name, offered == sid, sid.hex(), offered.hex())
            nxt.c.send(second(nxt, master))
            client_verdict(name, nxt, p, want, reason_re)
        finally:
            srv.close()

    def finish_now(conn):
        vd = prf(conn.master, b"server finished", hashlib.sha256(conn.transcript).digest(), 12)
        return record(CT_CCS, b"\x01") + conn.write.seal(CT_HANDSHAKE, handshake(HS_FINISHED, vd))

    @case("resumption: control: the client resumes by session ID (--reconnect 1)", side="client")
    def _(name):
        srv = ems_server()
        p = H.start_lucidtls_client(srv.port, b"PING\n", ["--reconnect", "1"])
        sid = os.urandom(32)
        try:
            conn = srv.accept()
            conn.read_client_hello()
            conn.send_flight(session_id=sid)
            conn.read_client_finish()
            conn.send_finish()
            conn.read_until_close_notify(3.0)
            conn.close()
            nxt = srv.accept()
            nxt.read_client_hello()
            sh = resumed_hello(nxt, conn.master)
            nxt.c.send(record(CT_HANDSHAKE, sh) + finish_now(nxt))
            nxt.transcript += handshake(HS_FINISHED, prf(nxt.master, b"server finished",
                                                         hashlib.sha256(nxt.transcript).digest(), 12))
            got = nxt.read_until_close_notify()
            nxt.send_close_notify()
            nxt.close()
        finally:
            srv.close()
        rc, out, err, _ = H.client_result(p)
        H.check("%s: the client's CCS, Finished and data arrive" % name, (CT_APPDATA, b"PING\n") in got,
                "PING among the records", got)
        H.check("%s: the client says the session resumed and exits 0" % name,
                rc == 0 and "session resumed" in err, "exit 0, 'session resumed'", "exit %s, %r" % (rc, err[-200:]))

    @case("resumption: a resuming ServerHello with another cipher suite", side="client")
    def _(name):
        # RFC 5246 7.4.1.3: "For resumed sessions, this field is the value
        # from the state of the session being resumed." A value the RFC
        # fixes and the server got wrong: illegal_parameter (RFC 5246 7.2.2:
        # "A field in the handshake was out of range or inconsistent with
        # other fields"), as OpenSSL does (SSL_R_OLD_SESSION_CIPHER_NOT_
        # RETURNED); the suite is one we offer, so this is not the "suite
        # we did not offer" case.
        reconnect_case(name, lambda c, m: record(CT_HANDSHAKE, resumed_hello(c, m, suite=0x0035)),
                       ALERT_CODES["illegal_parameter"], r"cipher suite 0x0035")

    @case("resumption: a resuming ServerHello without extended_master_secret", side="client")
    def _(name):
        # RFC 7627 5.3: "If the original session used the extension but the
        # new ServerHello does not contain the extension, the client MUST
        # abort the handshake." (handshake_failure, as the RFC's 5.2 does)
        reconnect_case(name, lambda c, m: record(CT_HANDSHAKE, resumed_hello(c, m, ems=False)),
                       ALERT_CODES["handshake_failure"], r"RFC 7627")

    @case("resumption: a ServerHello with another session ID, then CCS and Finished", side="client")
    def _(name):
        # The server does not echo our ID (RFC 5246 7.4.1.3): a full
        # handshake, whose next message is the Certificate; an abbreviated
        # flight in its place is the wrong message.
        def second(c, m):
            return record(CT_HANDSHAKE, resumed_hello(c, m, session_id=os.urandom(32))) + finish_now(c)
        reconnect_case(name, second, ALERT_CODES["unexpected_message"], r"unexpected|ChangeCipherSpec")

    @case("resumption: a ServerHello that echoes our ID, then a Certificate", side="client")
    def _(name):
        # Echoed: the abbreviated handshake (RFC 5246 7.3), where the server
        # sends ChangeCipherSpec next; a Certificate is the wrong message.
        def second(c, m):
            return record(CT_HANDSHAKE, resumed_hello(c, m) + handshake(HS_CERTIFICATE, certificate_body(c.cert_ders)))
        reconnect_case(name, second, ALERT_CODES["unexpected_message"], r"unexpected")

    @case("resumption: a first ServerHello echoing the TLS 1.3 compatibility session ID, then CCS", side="client")
    def _(name):
        # Nothing was offered for resumption (the 32 bytes are RFC 8446 D.4's
        # compatibility ID): a TLS 1.2 echo of it is a full handshake all the
        # same, and an abbreviated flight the wrong message.
        srv = ems_server()
        p = H.start_lucidtls_client(srv.port, b"")
        try:
            conn = srv.accept()
            conn.read_client_hello()
            sid = conn.offered_session_id()
            conn.pms = os.urandom(48)
            conn.master = os.urandom(48)
            conn.keys_from_master()
            msg = conn.hello(session_id=sid)
            conn.transcript += msg
            conn.c.send(record(CT_HANDSHAKE, msg) + finish_now(conn))
            conn.read = None  # the client's alert is plaintext: it has no keys
            client_verdict(name, conn, p, ALERT_CODES["unexpected_message"], r"unexpected|ChangeCipherSpec")
        finally:
            srv.close()


def register(harness):
    global H
    H = harness
    server_cases()
    resumption_server_cases()
    client_cases()


def stop():
    for srv in SERVERS.values():
        srv.stop()
