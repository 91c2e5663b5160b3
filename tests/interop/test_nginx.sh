#!/usr/bin/env bash
# `lucidtls client` against nginx (OpenSSL underneath, configured the way a
# web server is), over loopback.
#
# nginx runs in the foreground (`nginx -c CONF -p DIR -e LOG -g 'daemon off;'`)
# with a configuration of its own in the work dir: its pid file, lock file,
# logs and every *_temp_path are there, and it listens on 127.0.0.1 only.
# When the test runs as root, nginx runs as nobody (setpriv), so it is never a
# root process. Three instances: the RSA chain, the ECDSA (P-256) chain, and
# both in one server block. Each: TLS 1.2 only, the Mozilla "intermediate"
# suite list (ECDHE and DHE with AEAD), ssl_prefer_server_ciphers off.
#
# Our client sends an HTTP GET and must get the file: a small page, then
# 200 kB (many records) byte for byte; and the small page with the request
# piped in (stdin ends before the reply).
# nginx's access log says which protocol, suite, curve and SNI it saw. A suite
# outside nginx's list (RSA key transport) is refused. Nothing nginx writes
# lands outside the work dir, and nothing of it outlives the test.
#
# usage: test_nginx.sh BUILD_DIR
# shellcheck disable=SC2317  # request generators are called through lt_run
# shellcheck source=tests/interop/lib.sh
. "$(dirname "$0")/lib.sh"
lt_setup "$@"
lt_require_cli

NGINX=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
if [ -z "$NGINX" ]; then
    lt_fail "nginx is installed" "nginx in PATH or /usr/sbin/nginx" "not found (run scripts/install_deps.sh: nginx)"
    lt_finish
fi
lt_log "== $("$NGINX" -v 2>&1)"
CA=$PKI/ca.pem
MOZILLA_INTERMEDIATE=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305

# As root, nginx runs as nobody: its directory is nobody's, and the work dir
# may be traversed (not listed) to reach it.
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
    RUN_AS=(setpriv --reuid=nobody --regid="$(id -gn nobody 2>/dev/null || echo nogroup)" --clear-groups --)
    chmod 711 "$WORK"
fi

# What nginx might write outside its prefix if misconfigured: none of it may
# change during the test.
outside_state() {
    local f
    for f in /run/nginx.pid /var/run/nginx.pid /var/lock/nginx.lock /var/log/nginx/error.log /var/log/nginx/access.log \
        /var/lib/nginx/body /var/lib/nginx/proxy /var/lib/nginx/fastcgi /var/lib/nginx/uwsgi /var/lib/nginx/scgi \
        /usr/share/nginx/logs /usr/share/nginx/client_body_temp; do
        printf '%s %s\n' "$f" "$(stat -c '%s %Y %i' "$f" 2>/dev/null || echo absent)"
    done
}
OUTSIDE_BEFORE=$(outside_state)

# make_instance NAME CERTS... — $WORK/nginx-NAME/: nginx.conf (listening on
# NGINX_PORT, filled in at start), the certificates and keys (CERTS: RSA, ECDSA),
# html/ with the files served.
make_instance() {
    local name=$1 dir=$WORK/nginx-$1 ident ssl=""
    shift
    mkdir -p "$dir/html" "$dir/logs" "$dir/tmp" "$dir/ssl"
    for ident in "$@"; do
        cp "$(lt_chain_of "$ident")" "$dir/ssl/$ident-chain.pem"
        cp "$(lt_key_of "$ident")" "$dir/ssl/$ident.key"
        ssl+="        ssl_certificate $dir/ssl/$ident-chain.pem;
        ssl_certificate_key $dir/ssl/$ident.key;
"
    done
    printf '<html><body>%s</body></html>\n' "$PAGE_TOKEN" >"$dir/html/index.html"
    cp "$WORK/big.txt" "$dir/html/big.txt"
    cat >"$dir/nginx.conf.in" <<EOF
# Written by tests/interop/test_nginx.sh: everything under $dir.
worker_processes 1;
pid $dir/nginx.pid;
lock_file $dir/nginx.lock;
error_log $dir/logs/error.log info;
events {
    worker_connections 64;
}
http {
    log_format tls '\$request \$status \$body_bytes_sent \$ssl_protocol \$ssl_cipher \$ssl_curve sni=\$ssl_server_name';
    access_log $dir/logs/access.log tls;
    client_body_temp_path $dir/tmp/client_body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    types {
        text/html html;
        text/plain txt;
    }
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:NGINX_PORT ssl;
        server_name localhost;
$ssl        ssl_protocols TLSv1.2;
        ssl_ciphers $MOZILLA_INTERMEDIATE;
        ssl_prefer_server_ciphers off;
        root $dir/html;
    }
}
EOF
    if [ ${#RUN_AS[@]} -gt 0 ]; then
        chown -R nobody "$dir"
        chmod 700 "$dir"
    fi
}

# start_instance NAME — nginx in the foreground on a fresh port (the wrapper
# writes the port into the configuration, then becomes nginx).
start_instance() {
    local dir=$WORK/nginx-$1
    # shellcheck disable=SC2016  # expanded by the wrapper shell
    lt_start_server "$1" "${RUN_AS[@]}" sh -c 'sed "s/NGINX_PORT/$1/" "$2/nginx.conf.in" >"$2/nginx.conf" && exec "$3" \
        -p "$2" -c "$2/nginx.conf" -e "$2/logs/error.log" -g "daemon off;"' nginx-wrapper @PORT@ "$dir" "$NGINX"
}

PAGE_TOKEN=$(lt_token page)
head -c 150000 /dev/urandom | base64 -w 76 >"$WORK/big.txt"
BIG_SHA=$(sha256sum <"$WORK/big.txt" | cut -d' ' -f1)
BIG_LEN=$(wc -c <"$WORK/big.txt")
BIG_LAST=$(tail -n 1 "$WORK/big.txt")

make_instance rsa RSA
make_instance ecdsa ECDSA
make_instance both RSA ECDSA
for inst in rsa ecdsa both; do
    start_instance "$inst" || lt_finish
done
lt_pass "three nginx instances listen on 127.0.0.1 (RSA, ECDSA, both)"

# Each instance is a master and a worker in the group we started, and (when
# we are root) none of them runs as root.
for inst in rsa ecdsa both; do
    owners=$(for p in $(pgrep -g "$(lt_pid "$inst")" -x nginx 2>/dev/null); do stat -c %U "/proc/$p"; done | sort | uniq -c |
        awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')
    if [ ${#RUN_AS[@]} -gt 0 ]; then
        lt_expect_eq "nginx ($inst): master and worker, both running as nobody" "nobody x2" "$owners"
    else
        lt_expect_eq "nginx ($inst): master and worker, both running as us" "$(id -un) x2" "$owners"
    fi
done

# body_of FILE — what follows the HTTP header block.
body_of() { awk 'body { print; next } /^\r?$/ { body = 1 }' "$1"; }

# get NAME INSTANCE PATH LAST_BYTES [CLIENT_ARGS...] — GET PATH from the
# instance; our stdin stays open until the reply's end (LAST_BYTES) arrived.
# (At stdin EOF our client sends close_notify, and RFC 5246 7.2.1 lets the
# server discard whatever it has not sent yet: nginx does.) nginx closes
# after the reply (Connection: close). LAST_OUT: the whole reply.
get() {
    local name=$1 inst=$2 path=$3 last=$4
    shift 4
    lt_session "$name" 15 "GET $path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" "$last" \
        "$LUCIDTLS" client "127.0.0.1:$(lt_port "$inst")" --cafile "$CA" --servername localhost "$@"
}

# ------------------------------------------------------------ GET /, GET /big.txt, each instance
# inst:kind:suite nginx picks (client's order: ssl_prefer_server_ciphers off)
for spec in rsa:RSA:ECDHE-RSA-AES128-GCM-SHA256 ecdsa:ECDSA:ECDHE-ECDSA-AES128-GCM-SHA256 \
    both:ECDSA:ECDHE-ECDSA-AES128-GCM-SHA256; do
    IFS=: read -r inst _ suite <<<"$spec"
    get "get-$inst" "$inst" / "</html>"
    lt_expect_rc "nginx ($inst): GET / exits 0" 0
    lt_expect_contains "nginx ($inst): 200 OK" "$LAST_OUT" "HTTP/1.1 200 OK"
    lt_expect_contains "nginx ($inst): the page" "$LAST_OUT" "<html><body>$PAGE_TOKEN</body></html>"
    lt_expect_file_eq "nginx ($inst): nothing on stderr" "$LAST_ERR" ""

    get "big-$inst" "$inst" /big.txt "$BIG_LAST"
    lt_expect_rc "nginx ($inst): GET /big.txt exits 0" 0
    lt_expect_contains "nginx ($inst): big.txt: 200 OK" "$LAST_OUT" "HTTP/1.1 200 OK"
    lt_expect_match "nginx ($inst): big.txt: Content-Length $BIG_LEN" "$LAST_OUT" "^Content-Length: $BIG_LEN"$'\r?$'
    lt_expect_eq "nginx ($inst): big.txt arrived byte for byte (sha256)" "$BIG_SHA" \
        "$(body_of "$LAST_OUT" | sha256sum | cut -d' ' -f1)"

    lt_wait_for "$WORK/nginx-$inst/logs/access.log" "GET /big.txt" 5
    log=$WORK/nginx-$inst/logs/access.log
    lt_expect_contains "nginx ($inst) logged GET / over TLS 1.2 with $suite on x25519 (SNI localhost)" "$log" \
        "GET / HTTP/1.1 200 $(($(wc -c <"$WORK/nginx-$inst/html/index.html"))) TLSv1.2 $suite X25519 sni=localhost"
    lt_expect_contains "nginx ($inst) logged the whole of big.txt sent" "$log" "GET /big.txt HTTP/1.1 200 $BIG_LEN TLSv1.2 $suite"
done

# The request piped in (stdin ends at once, before the reply): a small page
# is written out before nginx reads our close_notify.
# shellcheck disable=SC2317  # called through lt_run
request() { printf 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'; }
lt_run get-piped 15 request "$LUCIDTLS" client "127.0.0.1:$(lt_port rsa)" --cafile "$CA" --servername localhost
lt_expect_rc "nginx, request piped in: exits 0" 0
lt_expect_contains "nginx, request piped in: the page" "$LAST_OUT" "<html><body>$PAGE_TOKEN</body></html>"

# Other suites of the list, by --ciphers; the two-identity instance serves
# the matching certificate.
for spec in rsa:ECDHE-RSA-CHACHA20-POLY1305 rsa:ECDHE-RSA-AES256-GCM-SHA384 ecdsa:ECDHE-ECDSA-CHACHA20-POLY1305 \
    ecdsa:ECDHE-ECDSA-AES256-GCM-SHA384 both:ECDHE-RSA-AES256-GCM-SHA384 both:ECDHE-ECDSA-CHACHA20-POLY1305; do
    inst=${spec%%:*} suite=${spec#*:}
    get "get-$inst-$suite" "$inst" / "</html>" --ciphers "$suite"
    lt_expect_rc "nginx ($inst), --ciphers $suite: exits 0" 0
    lt_expect_contains "nginx ($inst), --ciphers $suite: the page" "$LAST_OUT" "<html><body>$PAGE_TOKEN</body></html>"
    lt_wait_for "$WORK/nginx-$inst/logs/access.log" " $suite " 5
    lt_expect_match "nginx ($inst), --ciphers $suite: nginx logged GET / with that suite" \
        "$WORK/nginx-$inst/logs/access.log" "^GET / HTTP/1\.1 200 [0-9]+ TLSv1\.2 $suite X25519 sni=localhost\$"
done

# RSA key transport is not in the list: nginx refuses (no shared cipher).
get "get-rsakx" rsa / "" --ciphers AES128-GCM-SHA256
lt_expect_rc "nginx, --ciphers AES128-GCM-SHA256 (not in its list): refused" nonzero
lt_expect_contains "nginx, RSA key transport: nginx's handshake_failure" "$LAST_ERR" "handshake_failure"
lt_expect_one_line "nginx, RSA key transport"
lt_expect_match "nginx logged no shared cipher" "$WORK/nginx-rsa/logs/error.log" 'no shared cipher'

# ------------------------------------------------------------ nothing outside the work dir
for inst in rsa ecdsa both; do
    dir=$WORK/nginx-$inst
    lt_expect_alive "nginx ($inst) still running" "$inst"
    if [ -s "$dir/nginx.pid" ] && [ -d "$dir/tmp/client_body" ] && [ -d "$dir/tmp/scgi" ]; then
        lt_pass "nginx ($inst): pid file and temp dirs in its own directory"
    else
        lt_fail "nginx ($inst): pid file and temp dirs in its own directory" "$dir/nginx.pid, $dir/tmp/*" \
            "$(find "$dir" 2>&1 | head -n 20 | tr '\n' ' ')"
    fi
    lt_expect_not_contains "nginx ($inst): no emergencies or alerts in its error log" "$dir/logs/error.log" "[emerg]"
done
lt_expect_eq "nginx wrote nothing outside the work dir (/run, /var/log/nginx, /var/lib/nginx, ...)" "$OUTSIDE_BEFORE" \
    "$(outside_state)"

# Stopped as a group (SIGTERM to master and worker): nothing may survive.
for inst in rsa ecdsa both; do
    lt_stop_server "$inst"
done
left=$(pgrep -f "$WORK/nginx-" 2>/dev/null | tr '\n' ' ')
lt_expect_eq "no nginx process left once stopped" "" "$left"

lt_finish
