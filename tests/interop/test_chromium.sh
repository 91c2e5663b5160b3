#!/usr/bin/env bash
# Headless Chromium (BoringSSL underneath, a browser's ClientHello: GREASE
# (RFC 8701), the hybrid X25519MLKEM768 (0x11ec) first with a key share,
# then X25519) against `lucidtls server --www`.
#
# Chromium trusts our test CA through an NSS database of its own
# (tests/interop/chromium.sh), and runs with a fresh profile each time:
#     chromium --headless=new --no-sandbox --disable-gpu --dump-dom https://localhost:PORT/
# The page it renders is what our server says it negotiated; Chromium's net
# log (--log-net-log) says what Chromium sent and saw: its ClientHello's
# groups and key shares, and per connection the version, suite, group,
# signature scheme and the number of ServerHellos (2 after a
# HelloRetryRequest).
# Checks: TLS 1.3 with X25519 (the groups and shares we do not know passed
# over, RFC 8446 4.2.7/4.2.8, RFC 8701 3), our first suite, RSA-PSS; an
# ECDSA server; --ssl-version-max=tls1.2 gives TLS 1.2 with ECDHE; our
# server --groups P-256 makes a HelloRetryRequest (4.1.4) and Chromium
# follows it; without our CA Chromium refuses the page and tells our server
# with an alert.
#
# Chromium first fetches a page from openssl s_server -www: if that fails,
# Chromium cannot run here and the test is skipped (with Chromium's exit
# status and the end of its stderr); so is it when chromium or certutil is
# not installed (scripts/install_deps.sh installs both).
#
# usage: test_chromium.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

# shellcheck source=tests/interop/chromium.sh
. "$(dirname "$0")/chromium.sh"
lt_chromium_setup

# chrome NAME HOME URL [FLAGS...] — one headless Chromium run: the page's
# DOM in $WORK/NAME.out, the net log in $WORK/NAME.netlog.json, its summary
# (netlog_summary) in $WORK/NAME.tls.
chrome() {
    local name=$1 home=$2 url=$3
    shift 3
    CHROME_NETLOG=$WORK/$name.netlog.json
    lt_chrome "$name" "$home" --log-net-log="$CHROME_NETLOG" "$@" --dump-dom "$url"
    CHROME_TLS=$WORK/$name.tls
    netlog_summary "$CHROME_NETLOG" >"$CHROME_TLS" 2>&1
}

# netlog_summary FILE — from Chromium's net log: for the first ClientHello,
#   clienthello groups=G,G,... key_shares=G,G,...   (4 hex digits each, GREASE as "grease")
# and for each TLS connection that completed,
#   connection version=TLS 1.3 cipher=1301 group=001d sigalg=0804 resumed=false server_hellos=1
# and "net_error N" for each net error logged on a TLS connect.
netlog_summary() {
    python3 - "$1" <<'PY'
import base64, json, sys

def load(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    for tail in ("", "]}", "{}]}"):
        try:
            return json.loads(text + tail)
        except ValueError:
            pass
    sys.exit("net log unreadable")

def u16(b, i):
    return (b[i] << 8) | b[i + 1]

def name(g):
    return "grease" if (g & 0x0F0F) == 0x0A0A and (g >> 8) == (g & 0xFF) else "%04x" % g

def client_hello(b):
    # handshake header(4), version(2), random(32), session id, suites, compression
    i = 4 + 2 + 32
    i += 1 + b[i]
    i += 2 + u16(b, i)
    i += 1 + b[i]
    end = i + 2 + u16(b, i)
    i += 2
    groups, shares = [], []
    while i + 4 <= end:
        typ, n = u16(b, i), u16(b, i + 2)
        body = b[i + 4:i + 4 + n]
        if typ == 10:
            groups = [u16(body, j) for j in range(2, 2 + u16(body, 0), 2)]
        elif typ == 51:
            j = 2
            while j + 4 <= len(body):
                shares.append(u16(body, j))
                j += 4 + u16(body, j + 2)
        i += 4 + n
    return groups, shares

log = load(sys.argv[1])
types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
hellos = {}
printed_ch = False
for e in log.get("events", []):
    t = types.get(e["type"], "")
    p = e.get("params") or {}
    src = e["source"]["id"]
    if t == "SSL_HANDSHAKE_MESSAGE_SENT" and p.get("type") == 1 and not printed_ch and "bytes" in p:
        g, s = client_hello(base64.b64decode(p["bytes"]))
        print("clienthello groups=%s key_shares=%s" % (",".join(map(name, g)), ",".join(map(name, s))))
        printed_ch = True
    elif t == "SSL_HANDSHAKE_MESSAGE_RECEIVED" and p.get("type") == 2:
        hellos[src] = hellos.get(src, 0) + 1
    elif t == "SSL_CONNECT" and e.get("phase") == 2:
        if "version" in p:
            print("connection version=%s cipher=%04x group=%04x sigalg=%04x resumed=%s server_hellos=%d" % (
                p["version"], p.get("cipher_suite", 0), p.get("key_exchange_group", 0),
                p.get("peer_signature_algorithm", 0), str(p.get("is_resumed")).lower(), hellos.get(src, 0)))
        elif "net_error" in p:
            print("net_error", p["net_error"])
PY
}

# ------------------------------------------------------------ can Chromium run here?
lt_start_openssl_server probe -cert "$PKI/chain.pem" -key "$PKI/server.key" -www || lt_finish
chrome probe "$TRUSTING" "https://localhost:$(lt_port probe)/"
if ! grep -qF "Cipher is" "$LAST_OUT" 2>/dev/null; then
    lt_skip_test "headless Chromium cannot fetch a page from openssl s_server here: exit $LAST_RC; $(grep -v -e dbus -e '^$' "$LAST_ERR" | tail -n 3 | tr '\n' ' ')"
fi
lt_pass "headless Chromium renders a page from openssl s_server -www (so it runs here)"
lt_stop_server probe

# ------------------------------------------------------------ our server
lt_start_lucidtls_server RSA --www --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
lt_start_lucidtls_server ECDSA --www --cert "$PKI/chain-p256.pem" --key "$PKI/server-p256.key" || lt_finish
lt_start_lucidtls_server HRR --www --groups P-256 --explain --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish

chrome rsa "$TRUSTING" "https://localhost:$(lt_port RSA)/"
lt_expect_rc "Chromium vs our RSA server: exit 0" 0
lt_expect_contains "Chromium: the page shows our server's 'Protocol: TLSv1.3'" "$LAST_OUT" "Protocol: TLSv1.3"
lt_expect_contains "Chromium: our first TLS 1.3 suite" "$LAST_OUT" "Cipher: TLS_AES_128_GCM_SHA256"
lt_expect_contains "Chromium: SNI reached our server" "$LAST_OUT" "Server name: localhost"
lt_expect_match "Chromium's ClientHello: GREASE, then X25519MLKEM768 (0x11ec) first, X25519 after it" "$CHROME_TLS" \
    '^clienthello groups=grease,11ec,001d,'
lt_expect_match "Chromium's ClientHello: key shares for GREASE, X25519MLKEM768 and X25519" "$CHROME_TLS" \
    'key_shares=grease,11ec,001d$'
lt_expect_match "Chromium: TLS 1.3, TLS_AES_128_GCM_SHA256, X25519 (the hybrid and GREASE passed over), no HRR" "$CHROME_TLS" \
    '^connection version=TLS 1\.3 cipher=1301 group=001d sigalg=0804 .*server_hellos=1$'
lt_expect_not_contains "Chromium: no connection failed" "$CHROME_TLS" "net_error"

chrome rsa12 "$TRUSTING" "https://localhost:$(lt_port RSA)/" --ssl-version-max=tls1.2
lt_expect_rc "Chromium --ssl-version-max=tls1.2 vs our RSA server: exit 0" 0
lt_expect_contains "Chromium --ssl-version-max=tls1.2: 'Protocol: TLSv1.2'" "$LAST_OUT" "Protocol: TLSv1.2"
lt_expect_contains "Chromium --ssl-version-max=tls1.2: our first ECDHE_RSA suite" "$LAST_OUT" \
    "Cipher: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
lt_expect_match "Chromium --ssl-version-max=tls1.2: net log: TLS 1.2, c02f, X25519" "$CHROME_TLS" \
    '^connection version=TLS 1\.2 cipher=c02f group=001d '

chrome ecdsa "$TRUSTING" "https://localhost:$(lt_port ECDSA)/"
lt_expect_rc "Chromium vs our ECDSA server: exit 0" 0
lt_expect_contains "Chromium vs ECDSA: 'Protocol: TLSv1.3'" "$LAST_OUT" "Protocol: TLSv1.3"
lt_expect_match "Chromium vs ECDSA: net log: TLS 1.3, X25519, ecdsa_secp256r1_sha256 (0403)" "$CHROME_TLS" \
    '^connection version=TLS 1\.3 cipher=1301 group=001d sigalg=0403 '

# HelloRetryRequest: Chromium's shares are for X25519MLKEM768 and X25519,
# our server wants P-256 (RFC 8446 4.1.4).
chrome hrr "$TRUSTING" "https://localhost:$(lt_port HRR)/"
lt_expect_rc "Chromium vs our server --groups P-256: exit 0" 0
lt_expect_contains "HRR: 'Protocol: TLSv1.3'" "$LAST_OUT" "Protocol: TLSv1.3"
lt_expect_match "HRR: net log: P-256 (0017), after two ServerHellos (HelloRetryRequest, ServerHello)" "$CHROME_TLS" \
    '^connection version=TLS 1\.3 cipher=1301 group=0017 .*server_hellos=2$'
lt_expect_contains "HRR: our server narrates the HelloRetryRequest" "$(lt_server_err HRR)" "(HelloRetryRequest)"

for srv in RSA ECDSA HRR; do
    lt_expect_alive "our $srv server still serving after Chromium" "$srv"
    lt_expect_not_contains "our $srv server: no failed handshake" "$(lt_server_err "$srv")" "handshake failed"
done

# Without our CA: no page, ERR_CERT_AUTHORITY_INVALID (-202), and Chromium's
# alert reaches our server.
chrome untrusted "$EMPTY" "https://localhost:$(lt_port RSA)/"
lt_expect_not_contains "Chromium without our CA: no page from our server" "$LAST_OUT" "Protocol:"
lt_expect_contains "Chromium without our CA: ERR_CERT_AUTHORITY_INVALID" "$CHROME_TLS" "net_error -202"
lt_wait_for "$(lt_server_err RSA)" "handshake failed" 5
lt_expect_match "Chromium without our CA: our server got its alert" "$(lt_server_err RSA)" \
    'handshake failed: LT_ERR_PEER_ALERT: client sent fatal alert: (certificate_unknown|unknown_ca|bad_certificate)'

lt_finish
