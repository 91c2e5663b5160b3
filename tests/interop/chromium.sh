# shellcheck shell=bash
# Headless Chromium for the interop scripts (test_chromium.sh,
# test_www_page.sh), sourced after lib.sh's lt_setup.
#
# Chromium trusts our test CA through an NSS database of its own
# ($HOME/.pki/nssdb, HOME pointed into the work dir; certutil from
# libnss3-tools), and runs with a fresh profile each time. Everything it
# writes stays in the work dir: its profile, HOME, XDG dirs. No name but
# localhost resolves (--host-resolver-rules): its background requests go
# nowhere, not even to DNS.

# lt_chromium_setup — CHROMIUM (the binary) and two homes: TRUSTING (our CA
# trusted for TLS servers, 'C,,') and EMPTY. Skips the test when chromium or
# certutil is not installed (scripts/install_deps.sh installs both).
lt_chromium_setup() {
    CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
    [ -n "$CHROMIUM" ] || lt_skip_test "chromium is not installed (scripts/install_deps.sh: Debian package chromium)"
    command -v certutil >/dev/null 2>&1 || lt_skip_test "certutil is not installed (scripts/install_deps.sh: libnss3-tools)"
    lt_log "== $("$CHROMIUM" --version 2>/dev/null | head -n 1)"
    TRUSTING=$WORK/home-trusting
    EMPTY=$WORK/home-empty
    local home
    for home in "$TRUSTING" "$EMPTY"; do
        mkdir -p "$home/.pki/nssdb"
        if ! certutil -d "sql:$home/.pki/nssdb" -N --empty-password >"$WORK/certutil.log" 2>&1; then
            lt_fail "certutil -N makes an NSS database" "exit 0" "$(lt_excerpt "$WORK/certutil.log" 4)" \
                "certutil -d sql:$home/.pki/nssdb -N --empty-password"
            lt_finish
        fi
    done
    if certutil -d "sql:$TRUSTING/.pki/nssdb" -A -t 'C,,' -n lt-ca -i "$PKI/ca.pem" >"$WORK/certutil.log" 2>&1 &&
        certutil -d "sql:$TRUSTING/.pki/nssdb" -L >"$WORK/certutil.list" 2>&1; then
        lt_expect_match "NSS database trusts our CA for TLS servers" "$WORK/certutil.list" '^lt-ca +C,,'
    else
        lt_fail "certutil -A adds our CA" "exit 0" "$(lt_excerpt "$WORK/certutil.log" 4)"
        lt_finish
    fi
}

# lt_chrome NAME HOME ARGS... — one headless Chromium run as an lt_session
# (LAST_OUT, LAST_ERR, LAST_RC); ARGS end with what to do and the URL, e.g.
# `--dump-dom https://localhost:PORT/` or `--screenshot=FILE URL`.
lt_chrome() {
    local name=$1 home=$2
    shift 2
    lt_session "$name" 60 "" "" env HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_CACHE_HOME="$home/.cache" \
        "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --no-default-browser-check --disable-background-networking --disable-component-update \
        --disable-sync --disable-extensions --disable-breakpad --password-store=basic \
        --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE localhost" \
        --user-data-dir="$WORK/profile-$name" "$@"
}
