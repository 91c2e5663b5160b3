#!/usr/bin/env python3
"""reframe_proxy.py LISTEN_PORT TARGET_PORT — a TCP proxy on 127.0.0.1 that
re-frames every plaintext handshake record into 1-byte records, both ways.

For the TLS 1.3 interop tests: a peer must reassemble a handshake message
from records of any size (RFC 8446 5.1: handshake messages "MAY be ...
fragmented across several records"). In TLS 1.3 only the unencrypted
handshake records travel with content type 22 (handshake): the ClientHello
(both of them after a HelloRetryRequest), the ServerHello and the
HelloRetryRequest. Everything after them is encrypted: an outer type 23
record whose real type is inside the ciphertext, under an AEAD tag that
covers the record header too (RFC 8446 5.2), so it cannot be re-framed by a
proxy, and is passed on as it came, as is every other record (change_cipher_spec,
alerts). This is why the proxy is only for TLS 1.3: in TLS 1.2 the Finished
is an encrypted record of type 22.

Each connection to LISTEN_PORT is relayed to 127.0.0.1:TARGET_PORT. When a
direction ends, the proxy reports on stderr, one line:
    conn N c2s|s2c records R reframed B passed P
(R: records read, B: 1-byte handshake records written, P: records passed on
unchanged), then half-closes the other side. Runs until it is killed.
"""
import socket
import sys
import threading

HANDSHAKE = 22
HEADER = 5
LOCK = threading.Lock()


def report(line):
    with LOCK:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def reframe(header, body):
    """One record per byte of the body, each with the original header's
    content type and version."""
    out = bytearray()
    for b in body:
        out += header[:3] + b"\x00\x01" + bytes([b])
    return bytes(out)


def pump(conn_id, direction, src, dst):
    buf = bytearray()
    records = reframed = passed = 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            buf += data
            out = bytearray()
            while len(buf) >= HEADER:
                length = int.from_bytes(buf[3:5], "big")
                if len(buf) < HEADER + length:
                    break
                header, body = bytes(buf[:HEADER]), bytes(buf[HEADER:HEADER + length])
                del buf[:HEADER + length]
                records += 1
                if header[0] == HANDSHAKE and length > 0:
                    out += reframe(header, body)
                    reframed += length
                else:
                    out += header + body
                    passed += 1
            if out:
                dst.sendall(out)
    except OSError:
        pass
    finally:
        # Whatever is left (not a whole record) goes on as it is.
        try:
            if buf:
                dst.sendall(bytes(buf))
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        report("conn %d %s records %d reframed %d passed %d" % (conn_id, direction, records, reframed, passed))


def serve(conn_id, client, target_port):
    try:
        upstream = socket.create_connection(("127.0.0.1", target_port), timeout=10)
        upstream.settimeout(None)
    except OSError as e:
        report("conn %d cannot connect to port %d: %s" % (conn_id, target_port, e))
        client.close()
        return
    for s in (client, upstream):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t = threading.Thread(target=pump, args=(conn_id, "s2c", upstream, client), daemon=True)
    t.start()
    pump(conn_id, "c2s", client, upstream)
    t.join()
    client.close()
    upstream.close()


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: reframe_proxy.py LISTEN_PORT TARGET_PORT\n")
        return 2
    listen_port, target_port = int(sys.argv[1]), int(sys.argv[2])
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", listen_port))
    srv.listen(16)
    report("listening on 127.0.0.1:%d -> 127.0.0.1:%d" % (listen_port, target_port))
    n = 0
    while True:
        client, _ = srv.accept()
        n += 1
        threading.Thread(target=serve, args=(n, client, target_port), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
