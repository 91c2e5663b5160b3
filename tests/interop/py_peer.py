"""Python's ssl module as a TLS peer for the interop tests (test_python.sh).

  py_peer.py client PORT CAFILE CIPHER TOKEN   connect, send TOKEN, expect it echoed
  py_peer.py client-noclose PORT CAFILE CIPHER TOKEN
                                               the same, then close without close_notify
                                               (no unwrap(), as many Python programs do)
  py_peer.py client-default PORT CAFILE TOKEN  the same with Python's default context
                                               (ssl.create_default_context(), nothing changed)
  py_peer.py server PORT CHAIN KEY CIPHER      serve one connection: echo one line
  py_peer.py server-default PORT CHAIN KEY     the same with the default server context
                                               (create_default_context(Purpose.CLIENT_AUTH)
                                               + load_cert_chain, nothing changed)

Prints what it negotiated ("version cipher") and what it received.
"""
import socket
import ssl
import sys


def client(port, cafile, cipher, token, unwrap=True):
    ctx = ssl.create_default_context(cafile=cafile)
    if cipher is not None:
        # Python's default list has no RSA key exchange (forward secrecy
        # only); RSA key transport must be asked for by name. A suite named
        # here is a TLS 1.2 one, so cap the version: TLS 1.3 would ignore it.
        ctx.set_ciphers(cipher)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            print("negotiated", s.version(), s.cipher()[0], flush=True)
            s.sendall(token.encode() + b"\n")
            got = b""
            while not got.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
            print("received", got.decode().strip(), flush=True)
            if unwrap:
                s.unwrap()  # close_notify both ways


def server(port, chain, key, cipher):
    if cipher is None:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(chain, key)
    if cipher is not None:
        ctx.set_ciphers(cipher)
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as ls:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", port))
        ls.listen(1)
        ls.settimeout(15)
        conn, _ = ls.accept()
        with ctx.wrap_socket(conn, server_side=True) as s:
            print("negotiated", s.version(), s.cipher()[0], flush=True)
            line = b""
            while not line.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                line += chunk
            print("received", line.decode().strip(), flush=True)
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
        elif mode == "server-default":
            server(int(sys.argv[2]), sys.argv[3], sys.argv[4], None)
        else:
            sys.exit("unknown mode " + mode)
    except ssl.SSLError as e:
        print("ssl error", e.reason, file=sys.stderr, flush=True)
        sys.exit(1)


main()
