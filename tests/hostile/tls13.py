"""
tls13 — TLS 1.3 hellos by hand, for the hostile peer (test code only).

Python 3 standard library only, on top of tlsraw's framing. There is no
X25519 or HKDF key schedule here: a raw client can build any ClientHello
(RFC 8446 4.1.2) and read the server's answer up to its ServerHello or
HelloRetryRequest (4.1.3, 4.1.4), which travel in plaintext; a raw server
can answer `lucidtls client`'s ClientHello with any ServerHello or
HelloRetryRequest. Everything past the key exchange is tested in memory
(tests/hs/test_tls13_negative.c).

Extensions are kept as (type, data) pairs, so that a case can drop, reorder
or duplicate one before the hello is encoded.
"""
import os

from tlsraw import (ALERT_CODES, ALERTS, HS_CLIENT_HELLO, HS_SERVER_HELLO, handshake, u8, u16, vec)

# RFC 8446 6.2: the TLS 1.3 alerts tlsraw does not name.
for _code, _name in ((109, "missing_extension"), (116, "certificate_required"), (112, "unrecognized_name"),
                     (111, "certificate_unobtainable"), (113, "bad_certificate_status_response"),
                     (115, "unknown_psk_identity"), (120, "no_application_protocol")):
    ALERTS.setdefault(_code, _name)
    ALERT_CODES.setdefault(_name, _code)

TLS12, TLS13 = 0x0303, 0x0304

# RFC 8446 4.2
EXT_SERVER_NAME = 0
EXT_SUPPORTED_GROUPS = 10
EXT_SIGALGS = 13
EXT_PSK = 41
EXT_EARLY_DATA = 42
EXT_SUPPORTED_VERSIONS = 43
EXT_COOKIE = 44
EXT_PSK_MODES = 45
EXT_KEY_SHARE = 51

X25519, P256, P384, X448 = 0x001D, 0x0017, 0x0018, 0x001E
X25519MLKEM768 = 0x11EC  # draft-ietf-tls-ecdhe-mlkem: 1184-byte ML-KEM key + 32-byte X25519 key
# RFC 8701: GREASE values are 0x?A?A; a server must treat them as unknown.
GREASE = [0x0A0A, 0x1A1A, 0x2A2A, 0x3A3A, 0x4A4A, 0x5A5A, 0x6A6A, 0x7A7A]

TLS13_SUITES = (0x1301, 0x1302, 0x1303)
TLS12_SUITES = (0xC02F, 0xC030, 0x009C, 0x002F)
SIGALGS13 = (0x0804, 0x0805, 0x0806, 0x0403, 0x0503)
SCSV_FALLBACK = 0x5600

# RFC 8446 4.1.3
HRR_RANDOM = bytes.fromhex("CF21AD74E59A6111BE1D8C021E65B891C2A211167ABB8C5E079E09E2C8A8339C")
DOWNGRADE_TLS12 = bytes.fromhex("444F574E47524401")
DOWNGRADE_TLS11 = bytes.fromhex("444F574E47524400")

SHARE_LEN = {X25519: 32, P256: 65, P384: 97, X448: 56, X25519MLKEM768: 1216}


def random_share(group):
    """Bytes of the right length for the group. An X25519 key is any 32
    bytes (RFC 7748 5); for the NIST curves this is the uncompressed form
    but not a point on the curve, which is enough where the server never
    looks at it (a HelloRetryRequest) and wrong where it does."""
    n = SHARE_LEN.get(group, 1)
    if group in (P256, P384):
        return b"\x04" + os.urandom(n - 1)
    return os.urandom(n)


# ---------------------------------------------------------------- extensions

def e_versions_client(versions=(TLS13, TLS12)):
    return (EXT_SUPPORTED_VERSIONS, vec(1, b"".join(u16(v) for v in versions)))


def e_groups(groups):
    return (EXT_SUPPORTED_GROUPS, vec(2, b"".join(u16(g) for g in groups)))


def e_sigalgs(algs=SIGALGS13):
    return (EXT_SIGALGS, vec(2, b"".join(u16(a) for a in algs)))


def e_key_share_client(shares):
    """shares: [(group, key_exchange bytes)]."""
    return (EXT_KEY_SHARE, vec(2, b"".join(u16(g) + vec(2, k) for g, k in shares)))


def e_psk_modes(modes=(1,)):
    return (EXT_PSK_MODES, vec(1, bytes(modes)))


def e_psk(identities=None, binders=None):
    """pre_shared_key (4.2.11): a well-formed offer of tickets that are not
    ours (random identities), with binders of SHA-256 size."""
    identities = identities if identities is not None else [os.urandom(48)]
    binders = binders if binders is not None else [os.urandom(32) for _ in identities]
    ids = b"".join(vec(2, i) + os.urandom(4) for i in identities)
    return (EXT_PSK, vec(2, ids) + vec(2, b"".join(vec(1, b) for b in binders)))


def e_early_data():
    return (EXT_EARLY_DATA, b"")


def e_cookie(cookie):
    return (EXT_COOKIE, vec(2, cookie))


def e_sni(name):
    return (EXT_SERVER_NAME, vec(2, u8(0) + vec(2, name.encode())))


def default_exts13(groups=(X25519,), shares=None):
    """What a plain TLS 1.3 client sends: supported_versions, groups, one
    share per group unless told, signature_algorithms."""
    if shares is None:
        shares = [(g, random_share(g)) for g in groups]
    return [e_versions_client(), e_groups(groups), e_key_share_client(shares), e_sigalgs()]


def drop(exts, ext_type):
    return [e for e in exts if e[0] != ext_type]


def replace(exts, new):
    return [new if e[0] == new[0] else e for e in exts]


def encode_exts(exts):
    return vec(2, b"".join(u16(t) + vec(2, d) for t, d in exts))


# ---------------------------------------------------------------- hellos

class Hello13:
    """A ClientHello's fields, kept so that ClientHello2 can repeat them."""

    def __init__(self, exts=None, suites=TLS13_SUITES, random=None, session_id=None, compressions=b"\x00",
                 legacy_version=TLS12):
        self.exts = exts if exts is not None else default_exts13()
        self.suites = suites
        self.random = random if random is not None else os.urandom(32)
        self.session_id = session_id if session_id is not None else os.urandom(32)
        self.compressions = compressions
        self.legacy_version = legacy_version

    def body(self):
        return (u16(self.legacy_version) + self.random + vec(1, self.session_id) +
                vec(2, b"".join(u16(s) for s in self.suites)) + vec(1, self.compressions) + encode_exts(self.exts))

    def message(self):
        return handshake(HS_CLIENT_HELLO, self.body())

    def copy(self, **kw):
        h = Hello13(exts=list(self.exts), suites=self.suites, random=self.random, session_id=self.session_id,
                    compressions=self.compressions, legacy_version=self.legacy_version)
        for k, v in kw.items():
            setattr(h, k, v)
        return h


def server_hello13_body(session_id, suite=0x1301, random=None, exts=None, legacy_version=TLS12, compression=0):
    random = random if random is not None else os.urandom(32)
    body = u16(legacy_version) + random + vec(1, session_id) + u16(suite) + u8(compression)
    if exts is not None:
        body += encode_exts(exts)
    return body


def server_hello13(session_id, suite=0x1301, random=None, exts=None, **kw):
    return handshake(HS_SERVER_HELLO, server_hello13_body(session_id, suite, random, exts, **kw))


def e_version_server(v=TLS13):
    return (EXT_SUPPORTED_VERSIONS, u16(v))


def e_key_share_server(group, key):
    return (EXT_KEY_SHARE, u16(group) + vec(2, key))


def e_key_share_hrr(group):
    return (EXT_KEY_SHARE, u16(group))


def hello_retry_request(session_id, group, suite=0x1301, cookie=None):
    exts = [e_version_server(), e_key_share_hrr(group)]
    if cookie is not None:
        exts.append(e_cookie(cookie))
    return server_hello13(session_id, suite, HRR_RANDOM, exts)


# ---------------------------------------------------------------- parsing

class Reader:
    def __init__(self, data):
        self.d = data
        self.o = 0

    def take(self, n):
        if self.o + n > len(self.d):
            raise ValueError("truncated at %d (+%d of %d)" % (self.o, n, len(self.d)))
        b = self.d[self.o:self.o + n]
        self.o += n
        return b

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return int.from_bytes(self.take(2), "big")

    def vec(self, n):
        return self.take(int.from_bytes(self.take(n), "big"))

    def left(self):
        return len(self.d) - self.o


def parse_exts(data):
    """[(type, data)] in order."""
    r = Reader(data)
    out = []
    while r.left():
        t = r.u16()
        out.append((t, r.vec(2)))
    return out


class ParsedServerHello:
    def __init__(self, body):
        r = Reader(body)
        self.legacy_version = r.u16()
        self.random = r.take(32)
        self.session_id = r.vec(1)
        self.suite = r.u16()
        self.compression = r.u8()
        self.exts = parse_exts(r.vec(2)) if r.left() else []
        self.ext = dict(self.exts)
        self.is_hrr = self.random == HRR_RANDOM

    def selected_version(self):
        d = self.ext.get(EXT_SUPPORTED_VERSIONS)
        return int.from_bytes(d, "big") if d is not None and len(d) == 2 else None

    def key_share(self):
        """(group, key) for a ServerHello, (group, None) for an HRR."""
        d = self.ext.get(EXT_KEY_SHARE)
        if d is None:
            return None, None
        r = Reader(d)
        g = r.u16()
        return g, (None if self.is_hrr else r.vec(2))

    def cookie(self):
        d = self.ext.get(EXT_COOKIE)
        return Reader(d).vec(2) if d is not None else None


class ParsedClientHello:
    def __init__(self, body):
        r = Reader(body)
        self.legacy_version = r.u16()
        self.random = r.take(32)
        self.session_id = r.vec(1)
        s = r.vec(2)
        self.suites = [int.from_bytes(s[i:i + 2], "big") for i in range(0, len(s), 2)]
        self.compressions = r.vec(1)
        self.exts = parse_exts(r.vec(2)) if r.left() else []
        self.ext = dict(self.exts)

    def u16_list(self, ext_type, len_bytes=2):
        d = self.ext.get(ext_type)
        if d is None:
            return []
        v = Reader(d).vec(len_bytes)
        return [int.from_bytes(v[i:i + 2], "big") for i in range(0, len(v), 2)]

    def versions(self):
        return self.u16_list(EXT_SUPPORTED_VERSIONS, 1)

    def groups(self):
        return self.u16_list(EXT_SUPPORTED_GROUPS)

    def shares(self):
        d = self.ext.get(EXT_KEY_SHARE)
        if d is None:
            return []
        r = Reader(Reader(d).vec(2))
        out = []
        while r.left():
            g = r.u16()
            out.append((g, r.vec(2)))
        return out

    def cookie(self):
        d = self.ext.get(EXT_COOKIE)
        return Reader(d).vec(2) if d is not None else None
