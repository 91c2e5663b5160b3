"""Python's ssl module as a TLS peer for the interop tests (test_python.sh).

  py_peer.py client PORT CAFILE CIPHER TOKEN   connect, send TOKEN, expect it echoed
  py_peer.py client-noclose PORT CAFILE CIPHER TOKEN
                                               the same, then close without close_notify
                                               (no unwrap(), as many Python programs do)
  py_peer.py client-default PORT CAFILE TOKEN  the same with Python's default context
                                               (ssl.create_default_context(), nothing changed)
  py_peer.py client-resume PORT CAFILE TOKEN   the default context, twice: the second
                                               connection offers the first one's session
                                               (wrap_socket(..., session=...))
  py_peer.py client-resume12 PORT CAFILE TOKEN the same, TLS 1.2 at most (session ID or
                                               RFC 5077 ticket resumption)
  py_peer.py server PORT CHAIN KEY CIPHER      serve one connection: echo one line
  py_peer.py server-default PORT CHAIN KEY [N] the same with the default server context
                                               (create_default_context(Purpose.CLIENT_AUTH)
                                               + load_cert_chain, nothing changed), for N
                                               connections one after the other (default 1)
  py_peer.py server-default12 PORT CHAIN KEY N the same, TLS 1.2 at most

Prints what it negotiated ("version cipher") and what it received, and
(client-resume, server-default) "session_reused True|False" for each
connection.
"""
import socket
import ssl
import sys


def client_context(cafile, cipher):
    ctx = ssl.create_default_context(cafile=cafile)
    if cipher is not None:
        # Python's default list has no RSA key exchange (forward secrecy
        # only); RSA key transport must be asked for by name. A suite named
        # here is a TLS 1.2 one, so cap the version: TLS 1.3 would ignore it.
        ctx.set_ciphers(cipher)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def client_exchange(ctx, port, token, unwrap=True, session=None, tell_reuse=False):
    """One connection: send TOKEN, read the echo; returns the session."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost", session=session) as s:
            print("negotiated", s.version(), s.cipher()[0], flush=True)
            s.sendall(token.encode() + b"\n")
            got = b""
            while not got.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
            print("received", got.decode().strip(), flush=True)
            # TLS 1.3: the ticket came after the handshake, ahead of the
            # echo: the session is resumable only now.
            sess = s.session
            if tell_reuse:
                print("session_reused", s.session_reused, flush=True)
            if unwrap:
                s.unwrap()  # close_notify both ways
            return sess


def client(port, cafile, cipher, token, unwrap=True):
    client_exchange(client_context(cafile, cipher), port, token, unwrap)


def client_resume(port, cafile, token, tls12=False):
    ctx = client_context(cafile, None)
    if tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    sess = client_exchange(ctx, port, token + "-1", tell_reuse=True)
    print("has_ticket", sess is not None and sess.has_ticket, flush=True)
    client_exchange(ctx, port, token + "-2", session=sess, tell_reuse=True)


def server(port, chain, key, cipher, count=1, tls12=False):
    if cipher is None:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(chain, key)
    if tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if cipher is not None:
        ctx.set_ciphers(cipher)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as ls:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", port))
        ls.listen(1)
        ls.settimeout(15)
        for _ in range(count):
            conn, _ = ls.accept()
            serve_one(ctx, conn, count > 1)


def serve_one(ctx, conn, tell_reuse):
    with ctx.wrap_socket(conn, server_side=True) as s:
        print("negotiated", s.version(), s.cipher()[0], flush=True)
        line = b""
        while not line.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            line += chunk
        print("received", line.decode().strip(), flush=True)
        if tell_reuse:
            print("session_reused", s.session_reused, flush=True)
        s.sendall(line)
        try:
            s.unwrap()
        except (ssl.SSLError, OSError):
            pass


def main():
    mode = sys.argv[1]
    try:
        if mode == "client":
            client(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
        elif mode == "client-noclose":
            client(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], unwrap=False)
        elif mode == "client-default":
            client(int(sys.argv[2]), sys.argv[3], None, sys.argv[4])
        elif mode == "server":
            server(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
        elif mode == "client-resume":
            client_resume(int(sys.argv[2]), sys.argv[3], sys.argv[4])
        elif mode == "client-resume12":
            client_resume(int(sys.argv[2]), sys.argv[3], sys.argv[4], tls12=True)
        elif mode == "server-default12":
            server(int(sys.argv[2]), sys.argv[3], sys.argv[4], None, int(sys.argv[5]), tls12=True)
        elif mode == "server-default":
            count = int(sys.argv[5]) if len(sys.argv) > 5 else 1
            server(int(sys.argv[2]), sys.argv[3], sys.argv[4], None, count)
        else:
            sys.exit("unknown mode " + mode)
    except ssl.SSLError as e:
        print("ssl error", e.reason, file=sys.stderr, flush=True)
        sys.exit(1)


main()
