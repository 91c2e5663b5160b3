"""
tlsraw — just enough TLS 1.2 by hand to play a hostile peer (test code only).

Python 3 standard library only. Records, handshake headers, hello builders,
the TLS 1.2 PRF (SHA-256), a tiny DER walk for the RSA key of a certificate,
PKCS#1 v1.5 encryption with pow(), and a small pure-Python AES (FIPS-197)
with CBC, so that the hostile client can complete (or deliberately botch) a
TLS_RSA_WITH_AES_128_CBC_SHA handshake and speak protected records.

Nothing here is constant time or fit for anything but tests.
"""
import hashlib
import hmac
import os
import socket
import struct
import time

# ---------------------------------------------------------------- constants

CT_CCS, CT_ALERT, CT_HANDSHAKE, CT_APPDATA = 20, 21, 22, 23

HS_HELLO_REQUEST = 0
HS_CLIENT_HELLO = 1
HS_SERVER_HELLO = 2
HS_CERTIFICATE = 11
HS_SERVER_KEY_EXCHANGE = 12
HS_SERVER_HELLO_DONE = 14
HS_CLIENT_KEY_EXCHANGE = 16
HS_FINISHED = 20

ALERT_WARNING, ALERT_FATAL = 1, 2

ALERTS = {
    0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
    22: "record_overflow", 40: "handshake_failure", 42: "bad_certificate", 43: "unsupported_certificate",
    45: "certificate_expired", 47: "illegal_parameter", 48: "unknown_ca", 50: "decode_error",
    51: "decrypt_error", 70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
    86: "inappropriate_fallback", 90: "user_canceled",
    100: "no_renegotiation", 110: "unsupported_extension",
}
ALERT_CODES = {v: k for k, v in ALERTS.items()}

TLS_RSA_WITH_AES_128_CBC_SHA = 0x002F
ALL_SUITES = [0x002F, 0x0035, 0x003C, 0x003D, 0x009C, 0x009D]

EXT_SERVER_NAME = 0
EXT_SIGALGS = 13
EXT_EMS = 23
EXT_RENEG = 0xFF01


def alert_name(d):
    return ALERTS.get(d, "alert_%d" % d)


# ---------------------------------------------------------------- framing

def u8(n):
    return struct.pack("!B", n)


def u16(n):
    return struct.pack("!H", n)


def u24(n):
    return struct.pack("!I", n)[1:]


def vec(n_len_bytes, data):
    return {1: u8, 2: u16, 3: u24}[n_len_bytes](len(data)) + data


def record(ctype, body, version=0x0303, length=None):
    """A record header and body; `length` overrides the header's length."""
    return u8(ctype) + u16(version) + u16(len(body) if length is None else length) + body


def handshake(msg_type, body, length=None):
    return u8(msg_type) + u24(len(body) if length is None else length) + body


def alert(level, desc):
    return bytes([level, desc])


def ext(ext_type, data=b""):
    return u16(ext_type) + vec(2, data)


def ext_sni(name):
    entry = u8(0) + vec(2, name.encode())
    return ext(EXT_SERVER_NAME, vec(2, entry))


def ext_reneg_empty():
    return ext(EXT_RENEG, b"\x00")


def ext_sigalgs(algs=(0x0401, 0x0501, 0x0601)):
    return ext(EXT_SIGALGS, vec(2, b"".join(u16(a) for a in algs)))


def client_hello_body(suites=(TLS_RSA_WITH_AES_128_CBC_SHA,), version=0x0303, random=None, session_id=b"",
                      compressions=b"\x00", extensions=None):
    """ClientHello body (RFC 5246 7.4.1.2). extensions: list of encoded
    extensions, or None for no extensions block at all."""
    random = random if random is not None else os.urandom(32)
    body = u16(version) + random + vec(1, session_id)
    body += vec(2, b"".join(u16(s) for s in suites)) + vec(1, compressions)
    if extensions is not None:
        body += vec(2, b"".join(extensions))
    return body


def default_extensions():
    return [ext_reneg_empty(), ext_sigalgs()]


def client_hello(**kw):
    if "extensions" not in kw:
        kw["extensions"] = default_extensions()
    return handshake(HS_CLIENT_HELLO, client_hello_body(**kw))


def server_hello_body(suite=TLS_RSA_WITH_AES_128_CBC_SHA, version=0x0303, random=None, session_id=b"",
                      compression=0, extensions=None):
    random = random if random is not None else os.urandom(32)
    body = u16(version) + random + vec(1, session_id) + u16(suite) + u8(compression)
    if extensions is not None:
        body += vec(2, b"".join(extensions))
    return body


def certificate_body(ders):
    return vec(3, b"".join(vec(3, d) for d in ders))


def parse_records(buf):
    """Whole records at the front of buf: ([(type, version, body)], rest)."""
    out = []
    while len(buf) >= 5:
        n = (buf[3] << 8) | buf[4]
        if len(buf) < 5 + n:
            break
        out.append((buf[0], (buf[1] << 8) | buf[2], buf[5:5 + n]))
        buf = buf[5 + n:]
    return out, buf


def parse_handshakes(data):
    """Whole handshake messages in data: ([(type, body, raw)], rest)."""
    out = []
    while len(data) >= 4:
        n = int.from_bytes(data[1:4], "big")
        if len(data) < 4 + n:
            break
        out.append((data[0], data[4:4 + n], data[:4 + n]))
        data = data[4 + n:]
    return out, data


class Conn:
    """A TCP connection with a record reader that never blocks forever."""

    def __init__(self, host, port, timeout=5.0, sock=None):
        if sock is None:
            sock = socket.create_connection((host, port), timeout=timeout)
        self.sock = sock
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False
        self.reset = False
        self.local_port = sock.getsockname()[1]

    def send(self, data):
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            self.reset = True
            return False

    def shutdown_write(self):
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def _recv_some(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            self.reset = True
            self.eof = True
            return False
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def read_records(self, timeout=5.0, until=None):
        """Records until EOF, timeout, or until(list_so_far) is true."""
        deadline = time.monotonic() + timeout
        got = []
        while True:
            recs, self.buf = parse_records(self.buf)
            got.extend(recs)
            if until is not None and until(got):
                return got
            if self.eof:
                return got
            if not self._recv_some(deadline):
                if not self.eof:
                    return got

    def wait_eof(self, timeout=5.0):
        """Read (and keep) everything until EOF; True if EOF came in time."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            if not self._recv_some(deadline) and not self.eof:
                return False
        return True


def alerts_in(recs):
    """Plaintext alerts as (level, desc) pairs."""
    out = []
    for t, _, body in recs:
        if t == CT_ALERT:
            for i in range(0, len(body) - 1, 2):
                out.append((body[i], body[i + 1]))
    return out


def handshake_types_in(recs):
    data = b"".join(b for t, _, b in recs if t == CT_HANDSHAKE)
    msgs, _ = parse_handshakes(data)
    return [m[0] for m in msgs]


# ---------------------------------------------------------------- PRF, RSA, DER

def p_hash(hash_name, secret, seed, n):
    out = b""
    a = seed
    while len(out) < n:
        a = hmac.new(secret, a, hash_name).digest()
        out += hmac.new(secret, a + seed, hash_name).digest()
    return out[:n]


def prf(secret, label, seed, n, hash_name="sha256"):
    return p_hash(hash_name, secret, label + seed, n)


def der_item(buf, off):
    """(tag, content_start, content_end) of the DER item at off."""
    tag = buf[off]
    ln = buf[off + 1]
    off += 2
    if ln & 0x80:
        k = ln & 0x7F
        ln = int.from_bytes(buf[off:off + k], "big")
        off += k
    return tag, off, off + ln


def der_children(buf, start, end):
    out = []
    off = start
    while off < end:
        tag, s, e = der_item(buf, off)
        out.append((tag, s, e))
        off = e
    return out


def rsa_public_key_from_cert(der):
    """(n, e) of an X.509 certificate's RSA key, by walking the DER."""
    _, s, e = der_item(der, 0)                      # Certificate
    tag, ts, te = der_children(der, s, e)[0]        # tbsCertificate
    kids = der_children(der, ts, te)
    if kids[0][0] == 0xA0:                          # [0] version
        kids = kids[1:]
    _, ss, se = kids[5]                             # subjectPublicKeyInfo (after serial, sig, issuer, validity, subject)
    alg, bits = der_children(der, ss, se)
    _, bs, be = bits                                # BIT STRING: unused-bits byte, then RSAPublicKey
    _, rs, re_ = der_item(der, bs + 1)
    (_, ns, ne), (_, es, ee) = der_children(der, rs, re_)
    return int.from_bytes(der[ns:ne], "big"), int.from_bytes(der[es:ee], "big")


def pkcs1_v15_encrypt(n, e, msg, block_type=2, zero_sep=True):
    k = (n.bit_length() + 7) // 8
    ps_len = k - 3 - len(msg)
    ps = bytes((b % 255) + 1 for b in os.urandom(ps_len))
    em = b"\x00" + bytes([block_type]) + ps + (b"\x00" if zero_sep else b"\x01") + msg
    return pow(int.from_bytes(em, "big"), e, n).to_bytes(k, "big")


def pem_to_ders(text):
    import base64
    out = []
    cur = None
    for line in text.splitlines():
        if line.startswith("-----BEGIN CERTIFICATE"):
            cur = []
        elif line.startswith("-----END CERTIFICATE"):
            out.append(base64.b64decode("".join(cur)))
            cur = None
        elif cur is not None:
            cur.append(line.strip())
    return out


# ---------------------------------------------------------------- AES (FIPS-197)

def _xtime(a):
    a <<= 1
    return (a ^ 0x11B) if a & 0x100 else a


_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x ^= _xtime(_x)  # times 3, a generator
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


def _gmul(a, b):
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


SBOX = [0] * 256
INV_SBOX = [0] * 256
for _i in range(256):
    _b = 0 if _i == 0 else _EXP[255 - _LOG[_i]]
    _s = _b
    for _k in range(1, 5):
        _s ^= ((_b << _k) | (_b >> (8 - _k))) & 0xFF
    _s ^= 0x63
    SBOX[_i] = _s
    INV_SBOX[_s] = _i
_M = {m: [_gmul(i, m) for i in range(256)] for m in (2, 3, 9, 11, 13, 14)}


class AES:
    def __init__(self, key):
        nk = len(key) // 4
        assert len(key) in (16, 24, 32)
        self.nr = nk + 6
        w = [list(key[4 * i:4 * i + 4]) for i in range(nk)]
        rcon = 1
        for i in range(nk, 4 * (self.nr + 1)):
            t = list(w[i - 1])
            if i % nk == 0:
                t = [SBOX[b] for b in t[1:] + t[:1]]
                t[0] ^= rcon
                rcon = _xtime(rcon)
            elif nk > 6 and i % nk == 4:
                t = [SBOX[b] for b in t]
            w.append([a ^ b for a, b in zip(w[i - nk], t)])
        self.rk = [sum(w[4 * r:4 * r + 4], []) for r in range(self.nr + 1)]

    def encrypt_block(self, block):
        s = [a ^ b for a, b in zip(block, self.rk[0])]
        m2, m3 = _M[2], _M[3]
        for r in range(1, self.nr + 1):
            s = [SBOX[s[(i + 4 * (i % 4)) % 16]] for i in range(16)]  # SubBytes + ShiftRows
            if r != self.nr:
                t = []
                for c in range(4):
                    a0, a1, a2, a3 = s[4 * c:4 * c + 4]
                    t += [m2[a0] ^ m3[a1] ^ a2 ^ a3, a0 ^ m2[a1] ^ m3[a2] ^ a3,
                          a0 ^ a1 ^ m2[a2] ^ m3[a3], m3[a0] ^ a1 ^ a2 ^ m2[a3]]
                s = t
            s = [a ^ b for a, b in zip(s, self.rk[r])]
        return bytes(s)

    def decrypt_block(self, block):
        s = [a ^ b for a, b in zip(block, self.rk[self.nr])]
        m9, m11, m13, m14 = _M[9], _M[11], _M[13], _M[14]
        for r in range(self.nr - 1, -1, -1):
            s = [INV_SBOX[s[(i - 4 * (i % 4)) % 16]] for i in range(16)]  # InvShiftRows + InvSubBytes
            s = [a ^ b for a, b in zip(s, self.rk[r])]
            if r != 0:
                t = []
                for c in range(4):
                    a0, a1, a2, a3 = s[4 * c:4 * c + 4]
                    t += [m14[a0] ^ m11[a1] ^ m13[a2] ^ m9[a3], m9[a0] ^ m14[a1] ^ m11[a2] ^ m13[a3],
                          m13[a0] ^ m9[a1] ^ m14[a2] ^ m11[a3], m11[a0] ^ m13[a1] ^ m9[a2] ^ m14[a3]]
                s = t
        return bytes(s)

    def cbc_encrypt(self, iv, data):
        assert len(data) % 16 == 0
        out = b""
        prev = iv
        for i in range(0, len(data), 16):
            prev = self.encrypt_block(bytes(a ^ b for a, b in zip(data[i:i + 16], prev)))
            out += prev
        return out

    def cbc_decrypt(self, iv, data):
        assert len(data) % 16 == 0
        out = b""
        prev = iv
        for i in range(0, len(data), 16):
            blk = data[i:i + 16]
            out += bytes(a ^ b for a, b in zip(self.decrypt_block(blk), prev))
            prev = blk
        return out


def aes_self_test():
    """FIPS-197 C.1 and C.3: fail loudly rather than test with a broken AES."""
    k = bytes(range(16))
    pt = bytes.fromhex("00112233445566778899aabbccddeeff")
    a = AES(k)
    assert a.encrypt_block(pt).hex() == "69c4e0d86a7b0430d8cdb78070b4c55a", "AES-128 encrypt"
    assert a.decrypt_block(bytes.fromhex("69c4e0d86a7b0430d8cdb78070b4c55a")) == pt, "AES-128 decrypt"
    b = AES(bytes(range(32)))
    assert b.encrypt_block(pt).hex() == "8ea2b7ca516745bfeafc49904b496089", "AES-256 encrypt"


# ---------------------------------------------------------------- a TLS 1.2 client, by hand

class CbcSha:
    """TLS 1.2 CBC record protection, MAC-then-encrypt (RFC 5246 6.2.3.2),
    with knobs to break it on purpose."""
    MAC_LEN = 20

    def __init__(self, mac_key, key):
        self.mac_key = mac_key
        self.aes = AES(key)
        self.seq = 0

    def mac(self, seq, ctype, version, data):
        hdr = struct.pack("!QBHH", seq, ctype, version, len(data))
        return hmac.new(self.mac_key, hdr + data, hashlib.sha1).digest()

    def seal(self, ctype, data, version=0x0303, bad_mac=False, bad_padding=False, pad_byte=None):
        """bad_mac: flip a MAC bit. bad_padding: right length byte, wrong
        filler. pad_byte: force the padding length byte (e.g. past the record)."""
        m = self.mac(self.seq, ctype, version, data)
        if bad_mac:
            m = bytes([m[0] ^ 0x01]) + m[1:]
        n = len(data) + len(m) + 1
        p = (16 - n % 16) % 16
        if bad_padding and p == 0:
            p = 16
        pad = bytes([p]) * (p + 1)
        if bad_padding:
            # Every padding byte must equal the length byte (RFC 5246 6.2.3.2).
            pad = bytes([p ^ 0x5A]) + bytes([p]) * p
        if pad_byte is not None:
            pad = pad[:-1] + bytes([pad_byte])
        iv = os.urandom(16)
        ct = self.aes.cbc_encrypt(iv, data + m + pad)
        self.seq += 1
        return record(ctype, iv + ct, version)

    def open(self, ctype, body, version=0x0303):
        """Plaintext of a protected record, or None when it does not verify."""
        if len(body) < 32 or len(body) % 16:
            return None
        pt = self.aes.cbc_decrypt(body[:16], body[16:])
        p = pt[-1]
        if p + 1 + self.MAC_LEN > len(pt) or pt[-(p + 1):] != bytes([p]) * (p + 1):
            return None
        pt = pt[:-(p + 1)]
        data, m = pt[:-self.MAC_LEN], pt[-self.MAC_LEN:]
        ok = hmac.compare_digest(m, self.mac(self.seq, ctype, version, data))
        self.seq += 1
        return data if ok else None


class Client:
    """A TLS 1.2 client for TLS_RSA_WITH_AES_128_CBC_SHA without EMS, whose
    every step can be replaced. Raises AssertionError when the server does
    something the happy path does not expect."""

    def __init__(self, host, port, timeout=5.0):
        self.c = Conn(host, port, timeout)
        self.transcript = b""
        self.client_random = os.urandom(32)
        self.server_random = None
        self.server_certs = []
        self.pms = None
        self.write = None
        self.read = None
        self.server_flight_records = []

    def send_client_hello(self, **kw):
        kw.setdefault("random", self.client_random)
        kw.setdefault("suites", (TLS_RSA_WITH_AES_128_CBC_SHA,))
        msg = client_hello(**kw)
        self.transcript += msg
        self.c.send(record(CT_HANDSHAKE, msg, version=0x0301))

    def read_server_flight(self, timeout=5.0):
        """Reads until ServerHelloDone; returns the records read."""
        recs = self.c.read_records(timeout, until=lambda r: HS_SERVER_HELLO_DONE in handshake_types_in(r)
                                   or any(t == CT_ALERT for t, _, _ in r))
        self.server_flight_records = recs
        data = b"".join(b for t, _, b in recs if t == CT_HANDSHAKE)
        msgs, rest = parse_handshakes(data)
        types = [m[0] for m in msgs]
        assert types == [HS_SERVER_HELLO, HS_CERTIFICATE, HS_SERVER_HELLO_DONE], \
            "server flight: expected ServerHello, Certificate, ServerHelloDone; got %s, alerts %s" % (
                types, alerts_in(recs))
        for t, body, raw in msgs:
            self.transcript += raw
            if t == HS_SERVER_HELLO:
                self.server_random = body[2:34]
                sid_len = body[34]
                self.suite = int.from_bytes(body[35 + sid_len:37 + sid_len], "big")
            elif t == HS_CERTIFICATE:
                lst = body[3:]
                while lst:
                    n = int.from_bytes(lst[:3], "big")
                    self.server_certs.append(lst[3:3 + n])
                    lst = lst[3 + n:]
        assert self.suite == TLS_RSA_WITH_AES_128_CBC_SHA, "server chose suite 0x%04x" % self.suite
        return recs

    def cke_message(self, pms=None, pms_version=0x0303, raw_ciphertext=None, no_vector=False, block_type=2):
        """A ClientKeyExchange. Remembers the pre-master secret we used."""
        if raw_ciphertext is None:
            self.pms = pms if pms is not None else u16(pms_version) + os.urandom(46)
            n, e = rsa_public_key_from_cert(self.server_certs[0])
            ct = pkcs1_v15_encrypt(n, e, self.pms, block_type=block_type)
        else:
            ct = raw_ciphertext
            self.pms = os.urandom(48)
        body = ct if no_vector else vec(2, ct)
        return handshake(HS_CLIENT_KEY_EXCHANGE, body)

    def send_cke(self, **kw):
        msg = self.cke_message(**kw)
        self.transcript += msg
        self.c.send(record(CT_HANDSHAKE, msg))

    def derive(self):
        self.master = prf(self.pms, b"master secret", self.client_random + self.server_random, 48)
        kb = prf(self.master, b"key expansion", self.server_random + self.client_random, 2 * 20 + 2 * 16 + 2 * 16)
        self.write = CbcSha(kb[0:20], kb[40:56])
        self.read = CbcSha(kb[20:40], kb[56:72])

    def finished_message(self, label=b"client finished"):
        vd = prf(self.master, label, hashlib.sha256(self.transcript).digest(), 12)
        return handshake(HS_FINISHED, vd)

    def send_ccs(self):
        self.c.send(record(CT_CCS, b"\x01"))

    def send_finished(self, **seal_kw):
        self.derive()
        msg = self.finished_message()
        self.transcript += msg
        self.c.send(self.write.seal(CT_HANDSHAKE, msg, **seal_kw))

    def read_server_finish(self, timeout=5.0):
        """After our Finished: the server's CCS and protected Finished.
        Returns (ok, detail)."""
        recs = self.c.read_records(timeout, until=lambda r: len(r) >= 2 or any(t == CT_ALERT for t, _, _ in r))
        if len(recs) < 2 or recs[0][0] != CT_CCS or recs[1][0] != CT_HANDSHAKE:
            return False, "expected CCS then Finished, got %s (alerts %s)" % (
                [(t, len(b)) for t, _, b in recs], alerts_in(recs))
        fin = self.read.open(CT_HANDSHAKE, recs[1][2])
        if fin is None:
            return False, "the server's Finished record does not verify under the derived keys"
        want = handshake(HS_FINISHED, prf(self.master, b"server finished", hashlib.sha256(self.transcript).digest(), 12))
        if fin != want:
            return False, "the server's verify_data is wrong"
        return True, "server Finished verified"

    def handshake(self):
        self.send_client_hello()
        self.read_server_flight()
        self.send_cke()
        self.send_ccs()
        self.send_finished()
        ok, why = self.read_server_finish()
        assert ok, why

    def send_app(self, data, **seal_kw):
        self.c.send(self.write.seal(CT_APPDATA, data, **seal_kw))

    def read_protected(self, timeout=5.0, until=None):
        """Protected records from the server, opened: [(type, plaintext or None)]."""
        recs = self.c.read_records(timeout, until=until)
        return [(t, self.read.open(t, b)) for t, _, b in recs]


# ---------------------------------------------------------------- a TLS 1.2 server, by hand

def pem_block(text, label):
    """The DER of the first PEM block whose BEGIN line names `label`."""
    import base64
    lines, inside = [], False
    for line in text.splitlines():
        if line.startswith("-----BEGIN ") and label in line:
            inside = True
        elif line.startswith("-----END ") and inside:
            return base64.b64decode("".join(lines))
        elif inside:
            lines.append(line.strip())
    raise ValueError("no PEM block '%s'" % label)


def rsa_private_key_from_pem(text):
    """(n, d) of an RSA private key, PKCS#8 ("PRIVATE KEY") or PKCS#1
    ("RSA PRIVATE KEY"), by walking the DER."""
    der = pem_block(text, "PRIVATE KEY")
    _, s, e = der_item(der, 0)
    kids = der_children(der, s, e)
    if kids[1][0] == 0x30:                          # PKCS#8: version, AlgorithmIdentifier, OCTET STRING
        _, os_, _ = kids[2]
        _, s, e = der_item(der, os_)                # RSAPrivateKey inside
        kids = der_children(der, s, e)
    ints = [int.from_bytes(der[a:b], "big") for _, a, b in kids]   # version, n, e, d, p, q, ...
    return ints[1], ints[3]


def pkcs1_v15_decrypt(n, d, ct):
    """The message inside a PKCS#1 v1.5 type 2 block, or None."""
    k = (n.bit_length() + 7) // 8
    em = pow(int.from_bytes(ct, "big"), d, n).to_bytes(k, "big")
    if em[0] != 0 or em[1] != 2 or 0 not in em[2:]:
        return None
    sep = em.index(0, 2)
    return em[sep + 1:] if sep >= 10 else None


class RawServerConn:
    """One accepted connection of RawServer: the server side of a TLS 1.2
    TLS_RSA_WITH_AES_128_CBC_SHA handshake without EMS, every step of which
    can be replaced or broken. Raises AssertionError when the client does
    something the happy path does not expect."""

    def __init__(self, sock, cert_ders, rsa_key):
        self.c = Conn(None, None, sock=sock)
        self.cert_ders = cert_ders
        self.rsa_key = rsa_key
        self.transcript = b""
        self.server_random = os.urandom(32)
        self.client_random = None
        self.client_hello = None
        self.pms = None
        self.read = None
        self.write = None
        self.queued = []    # records read from the socket, not yet handled
        self.hs_data = b""  # handshake bytes not yet parsed into messages

    def _next_record(self, timeout):
        """The next record from the client (raw), or an AssertionError."""
        if not self.queued:
            self.queued = self.c.read_records(timeout, until=lambda r: len(r) >= 1)
        assert self.queued, "the client sent no more records (eof=%s)" % self.c.eof
        return self.queued.pop(0)

    def _read_handshake_messages(self, count, timeout):
        """The next `count` handshake messages (plaintext records), raw."""
        deadline = time.monotonic() + timeout
        while True:
            msgs, rest = parse_handshakes(self.hs_data)
            if len(msgs) >= count:
                used = sum(len(m[2]) for m in msgs[:count])
                self.hs_data = self.hs_data[used:]
                return msgs[:count]
            t, _, b = self._next_record(max(0.01, deadline - time.monotonic()))
            assert t == CT_HANDSHAKE, "expected a handshake record, got type %d %s" % (t, alerts_in([(t, 0, b)]))
            self.hs_data += b

    def read_client_hello(self, timeout=5.0):
        (t, body, raw), = self._read_handshake_messages(1, timeout)
        assert t == HS_CLIENT_HELLO, "expected ClientHello, got handshake type %d" % t
        self.transcript += raw
        self.client_hello = body
        self.client_random = body[2:34]
        return body

    def send_server_flight(self, suite=TLS_RSA_WITH_AES_128_CBC_SHA, extensions=None):
        """ServerHello (renegotiation_info, no EMS), Certificate, ServerHelloDone."""
        if extensions is None:
            extensions = [ext_reneg_empty()]
        flight = (handshake(HS_SERVER_HELLO, server_hello_body(suite=suite, random=self.server_random,
                                                               extensions=extensions)) +
                  handshake(HS_CERTIFICATE, certificate_body(self.cert_ders)) +
                  handshake(HS_SERVER_HELLO_DONE, b""))
        self.transcript += flight
        self.c.send(record(CT_HANDSHAKE, flight))

    def read_client_finish(self, timeout=5.0):
        """ClientKeyExchange, ChangeCipherSpec, Finished: decrypts the
        pre-master secret, derives the keys and checks the Finished."""
        (t, body, raw), = self._read_handshake_messages(1, timeout)
        assert t == HS_CLIENT_KEY_EXCHANGE, "expected ClientKeyExchange, got handshake type %d" % t
        self.transcript += raw
        n, d = self.rsa_key
        self.pms = pkcs1_v15_decrypt(n, d, body[2:])
        assert self.pms is not None and len(self.pms) == 48, "the pre-master secret does not decrypt"
        ccs = self._next_record(timeout)
        assert ccs[0] == CT_CCS, "expected ChangeCipherSpec, got a record of type %d" % ccs[0]
        fin_rec = self._next_record(timeout)
        assert fin_rec[0] == CT_HANDSHAKE, "expected Finished, got a record of type %d" % fin_rec[0]
        self.derive()
        fin = self.read.open(CT_HANDSHAKE, fin_rec[2])
        assert fin is not None, "the client's Finished does not verify under the derived keys"
        want = handshake(HS_FINISHED, prf(self.master, b"client finished", hashlib.sha256(self.transcript).digest(),
                                          12))
        assert fin == want, "the client's verify_data is wrong"
        self.transcript += fin

    def derive(self):
        self.master = prf(self.pms, b"master secret", self.client_random + self.server_random, 48)
        kb = prf(self.master, b"key expansion", self.server_random + self.client_random, 2 * 20 + 2 * 16 + 2 * 16)
        self.read = CbcSha(kb[0:20], kb[40:56])     # the client's write keys
        self.write = CbcSha(kb[20:40], kb[56:72])

    def send_finish(self, finished_tamper=None):
        """ChangeCipherSpec and our Finished. finished_tamper(verify_data)
        returns the verify_data to send instead (e.g. one bit flipped)."""
        vd = prf(self.master, b"server finished", hashlib.sha256(self.transcript).digest(), 12)
        if finished_tamper is not None:
            vd = finished_tamper(vd)
        self.c.send(record(CT_CCS, b"\x01") + self.write.seal(CT_HANDSHAKE, handshake(HS_FINISHED, vd)))

    def handshake(self, finished_tamper=None, timeout=5.0):
        self.read_client_hello(timeout)
        self.send_server_flight()
        self.read_client_finish(timeout)
        self.send_finish(finished_tamper)

    def send_app(self, data):
        self.c.send(self.write.seal(CT_APPDATA, data))

    def send_close_notify(self):
        self.c.send(self.write.seal(CT_ALERT, alert(ALERT_WARNING, 0)))

    def read_protected(self, timeout=5.0, until=None):
        """Protected records from the client, opened: [(type, plaintext or None)]."""
        recs, self.queued = self.queued, []
        if until is None or not until(recs):
            recs += self.c.read_records(timeout, until=(lambda r: until(recs + r)) if until else None)
        return [(t, self.read.open(t, b)) for t, _, b in recs]

    def read_until_close_notify(self, timeout=5.0):
        """Protected records from the client, opened, up to and including its
        close_notify (or EOF, or the timeout)."""
        got = []
        deadline = time.monotonic() + timeout
        while True:
            recs, self.queued = self.queued, []
            if not recs:
                recs = self.c.read_records(max(0.01, deadline - time.monotonic()), until=lambda r: len(r) >= 1)
            got.extend((t, self.read.open(t, b)) for t, _, b in recs)
            if ((CT_ALERT, alert(ALERT_WARNING, 0)) in got or self.c.eof or time.monotonic() >= deadline):
                return got

    def close(self):
        """A bare TCP close: no close_notify."""
        self.c.close()


class RawServer:
    """A listening socket on 127.0.0.1 that plays a TLS 1.2 server by hand
    (RawServerConn), with the certificate chain and key of the test PKI:

        srv = RawServer(chain_pem_path, key_pem_path)
        ... start a client against srv.port ...
        conn = srv.accept_and_handshake()      # or finished_tamper=...
        conn.send_app(b"data"); conn.read_protected(); conn.close()
    """

    def __init__(self, chain_path, key_path, host="127.0.0.1"):
        with open(chain_path) as f:
            self.cert_ders = pem_to_ders(f.read())
        with open(key_path) as f:
            self.rsa_key = rsa_private_key_from_pem(f.read())
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind((host, 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]

    def accept(self, timeout=5.0):
        self.lsock.settimeout(timeout)
        s, _ = self.lsock.accept()
        return RawServerConn(s, self.cert_ders, self.rsa_key)

    def accept_and_handshake(self, finished_tamper=None, timeout=5.0):
        conn = self.accept(timeout)
        conn.handshake(finished_tamper=finished_tamper, timeout=timeout)
        return conn

    def close(self):
        self.lsock.close()
