#!/usr/bin/env bash
# The CLI's edges (issue 10), against the real binary:
#  - --help / -h on every command: the usage on stdout, nothing on stderr,
#    exit 0;
#  - an unknown option is named, then the usage, on stderr, exit 2; a missing
#    argument says which; ports are 1..65535 digits (0 for the server: any
#    free port); --show-secrets without --explain is an error;
#  - a file that cannot be loaded: one line, with the system's reason;
#  - https:// URLs: the path is fetched from `openssl s_server -WWW` (which
#    serves files), and the request itself (GET PATH HTTP/1.1, Host with the
#    port, Connection: close) as Python's ssl server receives it;
#  - IPv6: `lucidtls server --host ::1` listens on "[::1]:P", the client
#    connects to [::1]:P and https://[::1]:P/ and says "connected to [::1]:P"
#    (skipped when the machine has no IPv6 loopback);
#  - the hint when the server refuses our offer: s_server speaking only TLS
#    1.1, only DHE suites, only TLS 1.2 against --tls1_3; and no hint when the
#    failure is something else (a required client certificate).
#
# usage: test_cli.sh BUILD_DIR
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

CA=$PKI/ca.pem
SRV=(--cert "$PKI/chain.pem" --key "$PKI/server.key")

# expect_usage_error NAME NEEDLE CMD... : exit 2, NEEDLE on stderr's first line,
# nothing on stdout.
expect_usage_error() {
    local name=$1 needle=$2
    shift 2
    lt_run "$name" 10 - "$LUCIDTLS" "$@"
    lt_expect_rc "$name: exit 2" 2
    head -n 1 "$LAST_ERR" >"$WORK/$name.first"
    lt_expect_contains "$name: says '$needle'" "$WORK/$name.first" "$needle"
    lt_expect_file_eq "$name: nothing on stdout" "$LAST_OUT" ""
}

# ------------------------------------------------------------ --help
for cmd in "" client server demo ticket-keys; do
    for flag in --help -h; do
        # shellcheck disable=SC2086  # "" is the top level: no word at all
        lt_run "help-${cmd:-top}$flag" 10 - "$LUCIDTLS" $cmd "$flag"
        lt_expect_rc "lucidtls $cmd $flag: exit 0" 0
        lt_expect_match "lucidtls $cmd $flag: the usage on stdout" "$LAST_OUT" "^usage:|^  lucidtls ${cmd:-client}"
        lt_expect_file_eq "lucidtls $cmd $flag: nothing on stderr" "$LAST_ERR" ""
    done
done
lt_run help-client 10 - "$LUCIDTLS" client --help
lt_expect_contains "client --help lists --show-secrets" "$LAST_OUT" "--show-secrets"
lt_expect_contains "client --help names the URL form" "$LAST_OUT" "https://HOST[:PORT]/PATH"

# ------------------------------------------------------------ unknown options
for cmd in client server demo; do
    expect_usage_error "unknown-$cmd" "lucidtls $cmd: unknown option '--foo'" "$cmd" --foo
    lt_expect_contains "unknown-$cmd: then the usage on stderr" "$LAST_ERR" "usage: lucidtls $cmd"
done
expect_usage_error unknown-ticket-keys "lucidtls ticket-keys: unknown option '--foo'" ticket-keys --foo
expect_usage_error unknown-value "unknown option '--bogus'" client --bogus=1 127.0.0.1:1
expect_usage_error noarg-flag "option '--explain' takes no argument" client --explain=yes 127.0.0.1:1
expect_usage_error unknown-command "lucidtls: unknown command 'frobnicate'" frobnicate

# ------------------------------------------------------------ missing arguments
expect_usage_error missing-cafile "lucidtls client: option '--cafile' needs an argument" client 127.0.0.1:1 --cafile
expect_usage_error missing-port "lucidtls server: --port is required" server "${SRV[@]}"
expect_usage_error missing-cert "lucidtls server: --cert is required" server --port 1
expect_usage_error missing-key "lucidtls server: --key is required" server --port 1 --cert "$PKI/chain.pem"
expect_usage_error missing-target "lucidtls client: HOST:PORT (or an https:// URL) is required" client --cafile "$CA"
expect_usage_error missing-kx "lucidtls demo: option '--kx' needs an argument" demo --kx
expect_usage_error missing-file "lucidtls ticket-keys: FILE is required" ticket-keys

# ------------------------------------------------------------ ports
expect_usage_error port-70000 "--port 70000: out of range" server --port 70000 "${SRV[@]}"
expect_usage_error port-abc "--port abc: not a number" server --port abc "${SRV[@]}"
expect_usage_error port-sign "--port -1: not a number" server --port -1 "${SRV[@]}"
expect_usage_error client-70000 "bad port in 'localhost:70000': out of range" client localhost:70000
expect_usage_error client-abc "bad port in 'localhost:abc': not a number" client localhost:abc
expect_usage_error client-zero "bad port in 'localhost:0': out of range" client localhost:0
expect_usage_error client-noport "'localhost': no port" client localhost
expect_usage_error url-70000 "bad port in 'localhost:70000': out of range" client https://localhost:70000/
expect_usage_error v6-bare "an IPv6 address goes in brackets" client ::1:443
expect_usage_error not-https "only https:// URLs" client http://localhost/

# ------------------------------------------------------------ --show-secrets
# It shows secrets in the narration, so it needs --explain (the demo always
# narrates: there it needs nothing).
expect_usage_error secrets-client "lucidtls client: --show-secrets needs --explain" client --show-secrets 127.0.0.1:1
expect_usage_error secrets-server "lucidtls server: --show-secrets needs --explain" server --port 1 "${SRV[@]}" \
    --show-secrets

# ------------------------------------------------------------ files that cannot be loaded
# expect_load_error NAME OPT PATH REASON CMD...: exit 1, exactly one line on
# stderr, "lucidtls: cannot load OPT PATH: REASON".
expect_load_error() {
    local name=$1 opt=$2 path=$3 reason=$4
    shift 4
    lt_run "$name" 10 - "$LUCIDTLS" "$@"
    lt_expect_rc "$name: exit 1" 1
    lt_expect_file_eq "$name: one line that says why" "$LAST_ERR" "lucidtls: cannot load $opt $path: $reason
"
}
NOFILE=$WORK/missing.pem
ENOENT="No such file or directory"
expect_load_error load-cafile --cafile "$NOFILE" "$ENOENT" client --cafile "$NOFILE" 127.0.0.1:1
expect_load_error load-capath --capath "$WORK/nodir" "$ENOENT" client --capath "$WORK/nodir" 127.0.0.1:1
expect_load_error load-cafile-dir --cafile "$WORK" "Is a directory" client --cafile "$WORK" 127.0.0.1:1
expect_load_error load-client-cert --cert "$NOFILE" "$ENOENT" client --cafile "$CA" --cert "$NOFILE" \
    --key "$PKI/server.key" 127.0.0.1:1
expect_load_error load-client-key --key "$NOFILE" "$ENOENT" client --cafile "$CA" --cert "$PKI/chain.pem" \
    --key "$NOFILE" 127.0.0.1:1
expect_load_error load-sess-in --sess-in "$NOFILE" "$ENOENT" client --cafile "$CA" --sess-in "$NOFILE" 127.0.0.1:1
expect_load_error load-server-cert --cert "$NOFILE" "$ENOENT" server --port 1 --cert "$NOFILE" --key "$PKI/server.key"
expect_load_error load-server-key --key "$NOFILE" "$ENOENT" server --port 1 --cert "$PKI/chain.pem" --key "$NOFILE"
expect_load_error load-client-cafile --client-cafile "$NOFILE" "$ENOENT" server --port 1 "${SRV[@]}" \
    --verify-client --client-cafile "$NOFILE"
expect_load_error load-ticket-keys --ticket-keys "$NOFILE" "$ENOENT" server --port 1 "${SRV[@]}" --ticket-keys "$NOFILE"
# A file that is there but is not PEM: the library's reason, still once.
printf 'not a certificate\n' >"$WORK/junk.pem"
expect_load_error load-junk-cafile --cafile "$WORK/junk.pem" "no CA certificate in it (PEM), or a damaged one" \
    client --cafile "$WORK/junk.pem" 127.0.0.1:1

# ------------------------------------------------------------ URLs
# openssl s_server -WWW serves the files of its working directory: the body
# proves which path we asked for.
TOKEN=$(lt_token url)
mkdir -p "$WORK/www/sub"
printf '%s\n' "$TOKEN" >"$WORK/www/sub/page.txt"
cd "$WORK/www" || exit 1
lt_start_openssl_server www -naccept 1 -WWW "${SRV[@]}"
cd - >/dev/null || exit 1
lt_run url-www 20 - "$LUCIDTLS" client --cafile "$CA" "https://localhost:$(lt_port www)/sub/page.txt"
lt_expect_rc "URL against s_server -WWW: exit 0" 0
lt_expect_contains "URL: s_server's status line (the whole response is printed)" "$LAST_OUT" "HTTP/1.0 200 ok"
lt_expect_contains "URL: the file at the URL's path" "$LAST_OUT" "$TOKEN"
lt_wait_exit www

# Python's ssl server that answers with the request it received, each line
# after "> ".
cat >"$WORK/echo_request.py" <<'EOF'
import socket, ssl, sys
port, chain, key, host = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(chain, key)
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
lsock = socket.socket(fam, socket.SOCK_STREAM)
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind((host, port))
lsock.listen(1)
conn, _ = lsock.accept()
conn.settimeout(15)
tls = ctx.wrap_socket(conn, server_side=True)
req = b""
while b"\r\n\r\n" not in req:
    data = tls.recv(4096)
    if not data:
        break
    req += data
body = b"".join(b"> " + line for line in req.splitlines(True))
tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            % len(body) + body)
tls.unwrap()
tls.close()
EOF
lt_start_server echo python3 "$WORK/echo_request.py" @PORT@ "$PKI/chain.pem" "$PKI/server.key" 127.0.0.1
EP=$(lt_port echo)
lt_run url-echo 20 - "$LUCIDTLS" client --cafile "$CA" "https://localhost:$EP/a/b?c=d#frag"
lt_expect_rc "URL against Python's ssl: exit 0" 0
lt_expect_contains "URL: the request line (path and query)" "$LAST_OUT" $'> GET /a/b?c=d HTTP/1.1\r'
lt_expect_contains "URL: Host with the port (not 443)" "$LAST_OUT" "> Host: localhost:$EP"$'\r'
lt_expect_contains "URL: Connection: close" "$LAST_OUT" $'> Connection: close\r'
lt_expect_not_contains "URL: the fragment is not sent" "$LAST_OUT" "frag"
lt_wait_exit echo
# Without a port a URL means 443: the connection error names it (when nothing
# listens there; otherwise that check says so and is left out).
if lt_port_listening 443; then
    lt_log "NOTE: something listens on port 443 here: the default-port check is left out"
else
    lt_run url-443 10 - "$LUCIDTLS" client --cafile "$CA" --connect-timeout 5 https://127.0.0.1/
    lt_expect_contains "URL without a port: 443" "$LAST_ERR" "cannot connect to 127.0.0.1:443"
fi

# ------------------------------------------------------------ IPv6
if python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
    lt_start_server v6 "$LUCIDTLS" server --port @PORT@ --host ::1 --www "${SRV[@]}"
    P6=$(lt_port v6)
    lt_expect_contains "server --host ::1: 'listening on [::1]:$P6'" "$(lt_server_err v6)" "listening on [::1]:$P6"
    lt_session v6-client 15 "ping\n" "" "$LUCIDTLS" client --cafile "$CA" --servername localhost --explain "[::1]:$P6"
    lt_expect_rc "client [::1]:$P6: exit 0" 0
    lt_expect_contains "client [::1]:$P6: 'connected to [::1]:$P6'" "$LAST_ERR" "lucidtls: connected to [::1]:$P6"
    lt_run v6-url 15 - "$LUCIDTLS" client --cafile "$CA" --servername localhost "https://[::1]:$P6/"
    lt_expect_rc "client https://[::1]:$P6/: exit 0" 0
    lt_expect_contains "client https://[::1]:$P6/: the --www answer" "$LAST_OUT" "Protocol"
    lt_stop_server v6
    lt_run v6-refused 10 - "$LUCIDTLS" client --cafile "$CA" "[::1]:$P6"
    lt_expect_contains "connection error: the address in brackets" "$LAST_ERR" "cannot connect to [::1]:$P6"
else
    lt_log "SKIP: no IPv6 loopback (::1) on this machine: the bracket checks are left out"
fi

# ------------------------------------------------------------ the refusal hint
# refused NAME S_SERVER_ARGS... -- CLIENT_ARGS...: our client against a
# one-shot s_server that refuses it.
refused() {
    local name=$1
    shift
    local sargs=()
    while [ "$1" != -- ]; do
        sargs+=("$1")
        shift
    done
    shift
    lt_start_openssl_server "$name" -naccept 1 -www "${SRV[@]}" "${sargs[@]}" || return 1
    lt_run "$name" 15 - "$LUCIDTLS" client --cafile "$CA" --servername localhost "127.0.0.1:$(lt_port "$name")" "$@"
    lt_wait_exit "$name"
    lt_expect_rc "$name: exit 1" 1
}
refused tls11 -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' --
lt_expect_contains "TLS 1.1 only: the alert" "$LAST_ERR" "lucidtls: server sent fatal alert: protocol_version"
lt_expect_contains "TLS 1.1 only: what we offered" "$LAST_ERR" "lucidtls: hint: we offered TLS 1.3 (3 suites) and TLS 1.2"
lt_expect_contains "TLS 1.1 only: the likely cause" "$LAST_ERR" "only TLS 1.1 or older, which lucidtls does not speak"
lt_expect_one_line "TLS 1.1 only (and one hint)"

refused dhe -tls1_2 -cipher DHE-RSA-AES128-GCM-SHA256 --
lt_expect_contains "DHE only: the alert" "$LAST_ERR" "lucidtls: server sent fatal alert: handshake_failure"
lt_expect_match "DHE only: what we offered" "$LAST_ERR" "^lucidtls: hint: we offered .*ECDHE and RSA key exchange.*groups x25519, P-256, P-384"
lt_expect_contains "DHE only: the likely cause" "$LAST_ERR" "lucidtls does not implement (DHE"

refused tls12 -tls1_2 -- --tls1_3
lt_expect_contains "--tls1_3 vs TLS 1.2 only: the alert" "$LAST_ERR" "protocol_version"
lt_expect_contains "--tls1_3 vs TLS 1.2 only: we offered 1.3 alone" "$LAST_ERR" "hint: we offered TLS 1.3 (3 suites), groups"
lt_expect_contains "--tls1_3 vs TLS 1.2 only: try --tls1_2" "$LAST_ERR" "try --tls1_2"

refused cipher12 -tls1_2 -cipher AES256-SHA -- --tls1_2 --ciphers ECDHE-RSA-AES128-GCM-SHA256
lt_expect_contains "--ciphers with no match: what we offered" "$LAST_ERR" "we offered TLS 1.2 (1 suite: ECDHE key exchange, AEAD)"
lt_expect_contains "--ciphers with no match: names --ciphers" "$LAST_ERR" "a suite --ciphers left out"

# Refused for another reason (no client certificate, after the ServerHello):
# no hint about suites or versions.
refused needcert -tls1_2 -Verify 1 -CAfile "$CA" --
lt_expect_contains "client certificate required: the alert" "$LAST_ERR" "handshake_failure"
lt_expect_not_contains "client certificate required: no hint" "$LAST_ERR" "hint:"

lt_finish
