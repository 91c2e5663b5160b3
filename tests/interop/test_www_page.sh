#!/usr/bin/env bash
# "See your own handshake": `lucidtls server --www` gives a browser (a GET
# that accepts text/html) a page that tells its own handshake, and
# /handshake.json the same as JSON; plain clients keep the short text answer.
#
# Headless Chromium (trusting our CA through an NSS database,
# tests/interop/chromium.sh) loads the page over TLS 1.3 and over TLS 1.2
# (--ssl-version-max=tls1.2); the rendered DOM (--dump-dom) must show the
# version, the chosen suite, Chromium's GREASE values marked, each section
# (offer, choices, identity, keys, MACs, records) and the narration's steps;
# and none of the secrets the server's key log holds, although the server runs
# with --explain --show-secrets. A screenshot of each is kept:
#     BUILD/artifacts/handshake-tls13.png, BUILD/artifacts/handshake-tls12.png
# curl and openssl s_client check the answers' kinds: text for plain clients,
# HTML with a Content-Security-Policy that allows nothing from outside, and
# JSON that parses, with every secret hidden.
#
# usage: test_www_page.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli
# shellcheck source=tests/interop/chromium.sh
. "$(dirname "$0")/chromium.sh"
lt_chromium_setup

CA=$PKI/ca.pem
ART=$BUILD/artifacts
mkdir -p "$ART"
KEYLOG=$WORK/keylog.txt

SSLKEYLOGFILE=$KEYLOG lt_start_lucidtls_server www --www --explain --show-secrets --cert "$PKI/chain.pem" \
    --key "$PKI/server.key" || lt_finish
PORT=$(lt_port www)
URL=https://localhost:$PORT/

# Every secret of the key log, as hex (each line's last word).
keylog_secrets() { awk '{ print tolower($3) }' "$KEYLOG" | sort -u; }

# page_checks NAME: the page Chromium rendered (in $LAST_OUT).
page_checks() {
    local name=$1 dom=$LAST_OUT
    lt_expect_contains "[$name] the page's title" "$dom" "Your TLS handshake with lucidtls"
    local id
    for id in offer choices identity keys macs records story; do
        lt_expect_contains "[$name] section '$id'" "$dom" "<section id=\"$id\">"
    done
    lt_expect_match "[$name] the offer: Chromium's GREASE cipher suite, marked" "$dom" \
        '<tr class="cipher_suites">.*<li class="grease"[^>]*>GREASE\(0x([0-9a-f])a\1a\) <mark>GREASE</mark></li>'
    lt_expect_match "[$name] the offer: a GREASE extension, marked, in the extensions in order" "$dom" \
        '<tr class="extensions_in_order">.*<li class="grease"[^>]*>GREASE\(0x([0-9a-f])a\1a\) <mark>GREASE</mark>'
    lt_expect_contains "[$name] the identity: the chain sent, leaf first" "$dom" \
        "<li>1. CN=localhost (issued by CN=lucidtls test root CA)</li>"
    lt_expect_contains "[$name] the keys: hidden, with their lengths" "$dom" "secret, hidden (32 bytes)"
    lt_expect_match "[$name] the MACs: what the server's Finished covered" "$dom" \
        "Alice's Finished MAC.*<th>covers</th>"
    lt_expect_contains "[$name] the records: sealed with AES-128-GCM" "$dom" "<td>AES-128-GCM (AEAD)</td>"
    lt_expect_contains "[$name] the story: step 1" "$dom" "1. Hello: nonces and algorithms"
    # No secret of this connection is on the page, though the server was
    # asked to show them (--show-secrets: they are on its stderr).
    local s leaked=0 n_secrets
    n_secrets=$(keylog_secrets | grep -c .)
    if [ "$n_secrets" -gt 0 ]; then
        lt_pass "[$name] the server's key log has secrets to look for ($n_secrets)"
    else
        lt_fail "[$name] the server's key log has secrets to look for" "lines in $KEYLOG" "none"
    fi
    while read -r s; do
        if grep -qiF -- "${s:0:32}" "$dom"; then
            leaked=$((leaked + 1))
        fi
    done < <(keylog_secrets)
    lt_expect_eq "[$name] none of the key log's $n_secrets secrets is on the page" 0 "$leaked"
    # Self-contained: nothing it loads or links comes from a network name.
    if grep -qiE '(src|href)="?(https?:)?//' "$dom"; then
        lt_fail "[$name] the page loads nothing from outside" "no src/href to another origin" \
            "$(grep -oiE '(src|href)="?(https?:)?//[^" >]*' "$dom" | head -3)"
    else
        lt_pass "[$name] the page loads nothing from outside"
    fi
}

# screenshot NAME FILE FLAGS...
screenshot() {
    local name=$1 file=$2
    shift 2
    rm -f "$file"
    lt_chrome "$name" "$TRUSTING" --window-size=1280,4000 --hide-scrollbars "$@" --screenshot="$file" "$URL"
    if [ -s "$file" ] && [ "$(head -c 8 "$file" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
        lt_pass "[$name] screenshot kept: $file ($(stat -c %s "$file") bytes)"
    else
        lt_fail "[$name] screenshot kept" "a PNG at $file" "$(lt_excerpt "$LAST_ERR" 4)"
    fi
}

# ------------------------------------------------------------ TLS 1.3
lt_chrome page13 "$TRUSTING" --dump-dom "$URL"
if ! grep -qF "Your TLS handshake" "$LAST_OUT" 2>/dev/null; then
    # Is it Chromium that cannot run here? Then skip, as test_chromium does.
    lt_start_openssl_server probe -cert "$PKI/chain.pem" -key "$PKI/server.key" -www || lt_finish
    lt_chrome probe "$TRUSTING" --dump-dom "https://localhost:$(lt_port probe)/"
    grep -qF "Cipher is" "$LAST_OUT" 2>/dev/null ||
        lt_skip_test "headless Chromium cannot fetch a page from openssl s_server here: exit $LAST_RC"
    lt_chrome page13 "$TRUSTING" --dump-dom "$URL"
fi
lt_expect_rc "[1.3] Chromium renders the page: exit 0" 0
lt_expect_contains "[1.3] the version: TLS 1.3" "$LAST_OUT" "Protocol: TLSv1.3"
lt_expect_match "[1.3] the choices: version TLS 1.3, with why" "$LAST_OUT" \
    '<td class="what">version</td><td class="chosen">TLS 1.3 \(0x0304\)</td><td>the highest version'
lt_expect_match "[1.3] the choices: the suite" "$LAST_OUT" \
    '<td class="what">cipher_suite</td><td class="chosen">TLS_AES_128_GCM_SHA256</td>'
lt_expect_match "[1.3] the offer: Chromium's versions, GREASE first" "$LAST_OUT" \
    '<tr class="supported_versions">.*GREASE\(0x([0-9a-f])a\1a\) <mark>GREASE</mark></li><li>TLS 1.3 \(0x0304\)</li>'
lt_expect_match "[1.3] the offer: Chromium's groups, X25519MLKEM768 named (not in lucidtls)" "$LAST_OUT" \
    '<tr class="groups">.*X25519MLKEM768 <span class="unimpl">0x11ec, not in lucidtls</span>'
lt_expect_match "[1.3] the offer: its key shares, GREASE marked" "$LAST_OUT" \
    '<tr class="key_shares">.*GREASE\(0x([0-9a-f])a\1a\) \(1 byte\) <mark>GREASE</mark>.*X25519MLKEM768 <span class="unimpl">0x11ec \(1216 bytes\), not in lucidtls</span>.*<li>x25519 \(32 bytes\)</li>'
lt_expect_contains "[1.3] the identity: the CertificateVerify" "$LAST_OUT" "Alice sends CertificateVerify"
lt_expect_contains "[1.3] the keys: the handshake traffic secret, with its label" "$LAST_OUT" \
    'Derive-Secret(handshake_secret, "s hs traffic", ClientHello..ServerHello)'
lt_expect_contains "[1.3] the story: the HKDF key schedule step" "$LAST_OUT" \
    "3. Keys: the HKDF key schedule, and the handshake keys"
lt_expect_contains "[1.3] the story: Alice's flight" "$LAST_OUT" \
    "4. Alice proves who she is, and sends her MAC over the handshake first"
page_checks 1.3
screenshot shot13 "$ART/handshake-tls13.png"

# ------------------------------------------------------------ TLS 1.2
lt_chrome page12 "$TRUSTING" --ssl-version-max=tls1.2 --dump-dom "$URL"
lt_expect_rc "[1.2] Chromium --ssl-version-max=tls1.2 renders the page: exit 0" 0
lt_expect_contains "[1.2] the version: TLS 1.2" "$LAST_OUT" "Protocol: TLSv1.2"
lt_expect_match "[1.2] the choices: the ECDHE suite" "$LAST_OUT" \
    '<td class="what">cipher_suite</td><td class="chosen">TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</td>'
lt_expect_contains "[1.2] the identity: the signed ServerKeyExchange" "$LAST_OUT" "Alice sends ServerKeyExchange"
lt_expect_match "[1.2] the keys: the extended master secret and the key block" "$LAST_OUT" \
    '<h3>master_secret .*extended master secret.*<h3>key_block '
lt_expect_contains "[1.2] the story: the ECDHE pre-master secret step" "$LAST_OUT" \
    "3. The pre-master secret: agreed with ECDHE, never sent"
lt_expect_contains "[1.2] the story: the Finished step" "$LAST_OUT" "5. Finished: MACs over the handshake"
page_checks 1.2
screenshot shot12 "$ART/handshake-tls12.png" --ssl-version-max=tls1.2

# ------------------------------------------------------------ the other answers
curl_get() {
    local name=$1
    shift
    lt_run "$name" 20 - curl -sS --cacert "$CA" -D "$WORK/$name.headers" "$@"
}
# curl sends Accept: */*: not a browser.
curl_get curl-plain "$URL"
lt_expect_rc "curl: exit 0" 0
lt_expect_match "curl gets the short text answer, as before" "$LAST_OUT" '^lucidtls [0-9.]+$'
lt_expect_contains "curl: the text names the version" "$LAST_OUT" "Protocol: TLSv1.3"
lt_expect_not_contains "curl: no HTML" "$LAST_OUT" "<html"
lt_expect_contains "curl: text/plain" "$WORK/curl-plain.headers" "Content-Type: text/plain"

curl_get curl-html -H 'Accept: text/html,application/xhtml+xml;q=0.9' "$URL"
lt_expect_contains "curl with Accept: text/html gets the page" "$LAST_OUT" "Your TLS handshake with lucidtls"
lt_expect_contains "the page: text/html" "$WORK/curl-html.headers" "Content-Type: text/html; charset=utf-8"
lt_expect_contains "the page: a Content-Security-Policy that allows nothing from outside" \
    "$WORK/curl-html.headers" "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:"
want_len=$(stat -c %s "$LAST_OUT")
lt_expect_contains "the page: its Content-Length is its size" "$WORK/curl-html.headers" "Content-Length: $want_len"

curl_get curl-json "${URL}handshake.json"
lt_expect_contains "/handshake.json: application/json" "$WORK/curl-json.headers" "Content-Type: application/json"
if python3 - "$LAST_OUT" >"$WORK/json.check" 2>&1 <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
assert d["v"] == 1, d["v"]
assert s["version"] == "TLS 1.3" and s["cipher_suite"] == "TLS_AES_128_GCM_SHA256", s
assert s["group"] == "x25519" and s["server_name"] == "localhost" and s["resumed"] is False, s
kinds = [(e["event"], e["what"]) for e in d["events"]]
for want in [("msg_recv", "ClientHello"), ("choice", "cipher_suite"), ("msg_sent", "Certificate"),
             ("key_derive", "server_handshake_traffic_secret"), ("key_derive", "server_finished"),
             ("msg_recv", "Finished"), ("record_protect", "handshake")]:
    assert want in kinds, want
secrets = [f for e in d["events"] for f in e["fields"] if "secret" in f]
assert secrets and all(f["secret"] == "hidden" and "hex" not in f for f in secrets), secrets[:2]
hello = next(e for e in d["events"] if e["what"] == "ClientHello")
names = {f["name"] for f in hello["fields"]}
assert {"extensions_in_order", "supported_versions", "key_shares"} <= names, names
print("ok", len(d["events"]), "events,", len(secrets), "secret fields all hidden")
PY
    lt_pass "/handshake.json parses: the summary, the events, every secret hidden ($(cat "$WORK/json.check"))"
else
    lt_fail "/handshake.json parses: the summary, the events, every secret hidden" "ok" "$(tail -n 3 "$WORK/json.check")"
fi

# openssl s_client: no Accept header, the text answer; with one, the page.
lt_session sclient-plain 15 "GET / HTTP/1.0\r\n\r\n" "Client certificate:" openssl s_client -connect \
    "127.0.0.1:$PORT" -servername localhost -CAfile "$CA" -verify_return_error -ign_eof -quiet
lt_expect_contains "s_client without Accept: the text answer" "$LAST_OUT" "HTTP/1.0 200 OK"
lt_expect_contains "s_client without Accept: text/plain" "$LAST_OUT" "Content-Type: text/plain"
lt_session sclient-html 15 "GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/html\r\n\r\n" "</html>" \
    openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$CA" -verify_return_error \
    -ign_eof -quiet -tls1_2
lt_expect_contains "s_client with Accept: text/html over TLS 1.2: the page" "$LAST_OUT" "Protocol: TLSv1.2"
lt_expect_contains "s_client: the page ends" "$LAST_OUT" "</body></html>"

lt_expect_alive "the server still serves after all of them" www
# (Chromium also opens a spare connection and closes it without
# close_notify when it exits: a "connection failed" note, not a failed
# handshake.)
lt_expect_not_contains "the server: no failed handshake" "$(lt_server_err www)" "handshake failed"
lt_finish
