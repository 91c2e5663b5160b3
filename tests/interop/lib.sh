# shellcheck shell=bash
# tests/interop/lib.sh — helpers for the loopback interop tests.
#
# A test script does:
#     . "$(dirname "$0")/lib.sh"
#     lt_setup "$@"            # $1 = build dir; makes the PKI, a work dir, traps
#     lt_start_lucidtls_server srv --cert "$PKI/chain.pem" ...
#     lt_session name 10 'ping\n' 'ping' openssl s_client -connect "127.0.0.1:$(lt_port srv)" ...
#     lt_expect_rc "handshake" 0
#     lt_expect_contains "echo" "$LAST_OUT" "ping"
#     lt_finish                # prints "N passed, N failed" and exits
#
# Every check prints PASS or FAIL; a FAIL shows the command, what was
# expected and what came.
#
# Processes: every server and every lt_session peer runs in its own session
# and process group (setsid; scripts/procs.sh). Stopping one (lt_stop_server,
# lt_wait_exit, lt_finish, the exit trap) sends SIGTERM to the whole group,
# SIGKILL after LT_REAP_GRACE seconds, waits for it, and FAILs the test if
# any process of it is still alive then (one that left the group): nothing a
# test starts outlives it. A pid a test script adds to LT_PIDS itself is
# stopped the same way (its group if it leads one, else it and its
# descendants).
#
# Environment knobs: LUCIDTLS (the CLI, default BUILD/lucidtls), LT_KEEP_WORK=1
# (keep the work dir), LT_VERBOSE=1 (print the whole output on failures),
# LT_REAP_GRACE (seconds between SIGTERM and SIGKILL, default 3).

set -u
set -o pipefail
# Job control would make setsid fork, and the pid we hold would not be the
# group's.
set +m
# shellcheck source=../../scripts/procs.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/procs.sh"

LT_PASSED=0
LT_FAILED=0
LT_PIDS=()
declare -A LT_STARTS=() LT_NAMES=() LT_CMDS=()
LT_REAP_GRACE=${LT_REAP_GRACE:-3}
LT_SERVER_NAMES=()
LT_FINISHED=0
LAST_OUT=""
LAST_ERR=""
LAST_ALL=""
LAST_RC=""
LAST_CMD=""

lt_log() { printf '%s\n' "$*"; }

# ---------------------------------------------------------------- setup

lt_setup() {
    if [ $# -lt 1 ] || [ ! -d "$1" ]; then
        echo "usage: $0 BUILD_DIR" >&2
        exit 2
    fi
    BUILD=$(cd "$1" && pwd)
    LT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    LUCIDTLS=${LUCIDTLS:-$BUILD/lucidtls}
    TEST_NAME=$(basename "$0" .sh)
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/lt-$TEST_NAME.XXXXXX")
    trap lt_cleanup EXIT
    trap 'lt_log "interrupted"; exit 130' INT TERM HUP

    for tool in openssl timeout mkfifo; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            lt_log "FATAL: '$tool' is not installed (run scripts/install_deps.sh)"
            exit 1
        fi
    done
    PKI=$BUILD/interop-pki
    if ! "$LT_ROOT/scripts/make_test_pki.sh" "$PKI" >"$WORK/pki.log" 2>&1; then
        cat "$WORK/pki.log"
        lt_log "FATAL: scripts/make_test_pki.sh failed"
        exit 1
    fi
    lt_log "== $TEST_NAME: build=$BUILD pki=$PKI work=$WORK"
    lt_log "== $(openssl version)"
}

# The CLI must exist for anything below to mean something. Not a skip: a
# missing binary is a failure.
lt_require_cli() {
    if [ ! -x "$LUCIDTLS" ]; then
        lt_fail "lucidtls CLI exists" "an executable at $LUCIDTLS" "no such file (the CLI did not build?)"
        lt_finish
    fi
    lt_pass "lucidtls CLI exists ($LUCIDTLS)"
}

# Is PID a live child of this shell? (Guards against killing a recycled pid.)
lt_is_ours() {
    [ -n "$1" ] && [ -r "/proc/$1/status" ] \
        && awk -v me="$$" '/^State:/ { z = ($2 == "Z") } /^PPid:/ { pp = $2 } END { exit !(pp == me && !z) }' \
            "/proc/$1/status" 2>/dev/null
}

lt_forget() {
    local keep=() p
    for p in "${LT_PIDS[@]}"; do
        [ "$p" = "$1" ] || keep+=("$p")
    done
    LT_PIDS=("${keep[@]}")
    unset "LT_STARTS[$1]" "LT_NAMES[$1]" "LT_CMDS[$1]"
}

# lt_adopt PID NAME CMD — after `setsid CMD... &`: wait until PID leads its
# own session, and stop it with everything else.
lt_adopt() {
    local pid=$1 name=$2
    LT_PIDS+=("$pid")
    LT_NAMES[$pid]=$name
    LT_CMDS[$pid]=$3
    if ! lt_pg_adopt "$pid"; then
        LAST_ERR="" lt_fail "$name runs in its own session and process group" "setsid made pid $pid a session leader" \
            "it did not (is job control on?): it cannot be stopped as a group"
    fi
    LT_STARTS[$pid]=$LT_PG_START
}

# The start time of a pid we track, or 1 when it cannot be ours any more: a
# pid a test added to LT_PIDS itself that is no longer our child (exited and
# reaped: the number may be someone else's now).
lt_start_of() {
    if [ -n "${LT_STARTS[$1]:-}" ]; then
        echo "${LT_STARTS[$1]}"
    elif lt_is_ours "$1"; then
        LT_STARTS[$1]=$(lt_pg_start_of "$1")
        echo "${LT_STARTS[$1]}"
    else
        return 1
    fi
}

# lt_term PID: SIGTERM to its process group (or, if it leads none, to it and
# its descendants).
lt_term() {
    local start
    # Not start=$(lt_start_of): LT_STARTS must be filled in this shell.
    lt_start_of "$1" >/dev/null || return 0
    start=${LT_STARTS[$1]}
    lt_pg_term "$1" "$start"
}

# lt_reap PID [GRACE] — wait up to GRACE (LT_REAP_GRACE) seconds for everything
# of PID to exit, then SIGKILL its group; reap it. FAILs if a process of it
# is still alive after that (it is then killed on its own).
lt_reap() {
    local pid=$1 grace=${2:-$LT_REAP_GRACE} start name
    if ! lt_start_of "$pid" >/dev/null; then
        wait "$pid" 2>/dev/null
        lt_forget "$pid"
        return 0
    fi
    start=${LT_STARTS[$pid]}
    name=${LT_NAMES[$pid]:-"pid $pid"}
    if ! lt_pg_reap "$pid" "$start" "$grace"; then
        LAST_ERR="" lt_fail "no process of $name outlives it" \
            "nothing left of process group $pid after SIGTERM, then SIGKILL to the group" \
            "still running, killed one by one now: $(printf '[pid %s] ' "${LT_PG_SURVIVORS[@]}")" \
            "${LT_CMDS[$pid]:-$name}"
    fi
    lt_forget "$pid"
    return 0
}

# lt_stop_all — every process still tracked: SIGTERM to all, then reap each
# (their grace periods overlap).
lt_stop_all() {
    local pid
    local -a pids=("${LT_PIDS[@]}")
    for pid in "${pids[@]}"; do
        lt_term "$pid"
    done
    for pid in "${pids[@]}"; do
        lt_reap "$pid"
    done
}

lt_cleanup() {
    local rc=$? failed_before=$LT_FAILED
    lt_stop_all
    if [ "${LT_KEEP_WORK:-0}" = 1 ] || [ "$LT_FAILED" -gt 0 ]; then
        lt_log "== work dir kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    if [ "$LT_FINISHED" = 0 ]; then
        lt_log "== $TEST_NAME ended early (status $rc)"
        printf '%d passed, %d failed\n' "$LT_PASSED" "$((LT_FAILED > 0 ? LT_FAILED : 1))"
        [ "$rc" = 0 ] && rc=1
    elif [ "$LT_FAILED" -gt "$failed_before" ]; then
        printf '%d passed, %d failed\n' "$LT_PASSED" "$LT_FAILED"
        rc=1
    fi
    exit "$rc"
}

# ---------------------------------------------------------------- assertions

lt_pass() {
    LT_PASSED=$((LT_PASSED + 1))
    lt_log "PASS: $1"
}

# lt_fail DESC EXPECTED ACTUAL [CMD]
lt_fail() {
    LT_FAILED=$((LT_FAILED + 1))
    lt_log "FAIL: $1"
    lt_log "    command:  ${4:-$LAST_CMD}"
    lt_log "    expected: $2"
    lt_log "    actual:   $3"
    if [ -n "$LAST_ERR" ] && [ -s "$LAST_ERR" ]; then
        lt_log "    stderr of the command (last 8 lines):"
        tail -n 8 "$LAST_ERR" | sed 's/^/        | /'
    fi
}

# A short, printable excerpt of a file for failure messages.
lt_excerpt() {
    local file=$1 n=${2:-8}
    if [ ! -e "$file" ]; then
        echo "(no file $file)"
    elif [ ! -s "$file" ]; then
        echo "(empty)"
    elif [ "${LT_VERBOSE:-0}" = 1 ]; then
        printf '\n'
        cat -v "$file" | sed 's/^/        | /'
    else
        printf '(last %d lines of %s)\n' "$n" "$(basename "$file")"
        tail -n "$n" "$file" | cut -c1-200 | cat -v | sed 's/^/        | /'
    fi
}

# lt_expect_rc DESC WANT [RC] — WANT is a number or "nonzero"; RC defaults to LAST_RC.
lt_expect_rc() {
    local desc=$1 want=$2 rc=${3:-$LAST_RC}
    if [ "$want" = nonzero ]; then
        # A clean failure: exit 1..127. A timeout (124, 137) or a death by
        # signal (128 + N: a crash, a sanitizer abort) is not a clean failure.
        if [ "$rc" -gt 0 ] 2>/dev/null && [ "$rc" -lt 128 ] && [ "$rc" != 124 ]; then
            lt_pass "$desc (exit $rc)"
        elif [ "$rc" = 0 ]; then
            lt_fail "$desc" "a non-zero exit status" "exit 0"
        elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
            lt_fail "$desc" "a non-zero exit status, promptly" "timed out (exit $rc)"
        else
            lt_fail "$desc" "a clean non-zero exit status (1..127)" "killed by signal $((rc - 128)) (exit $rc)"
        fi
    elif [ "$rc" = "$want" ]; then
        lt_pass "$desc (exit $rc)"
    else
        local why="exit $rc"
        [ "$rc" = 124 ] || [ "$rc" = 137 ] && why="timed out (exit $rc)"
        lt_fail "$desc" "exit $want" "$why"
    fi
}

# lt_expect_contains DESC FILE NEEDLE — fixed string.
lt_expect_contains() {
    local desc=$1 file=$2 needle=$3
    if [ -f "$file" ] && grep -qF -- "$needle" "$file"; then
        lt_pass "$desc"
    else
        local shown=$needle
        [ ${#shown} -gt 120 ] && shown="${shown:0:120}... (${#needle} bytes)"
        lt_fail "$desc" "output containing '$shown'" "$(lt_excerpt "$file")"
    fi
}

# lt_expect_match DESC FILE ERE — extended regex, case-insensitive.
lt_expect_match() {
    local desc=$1 file=$2 re=$3
    if [ -f "$file" ] && grep -qiE -- "$re" "$file"; then
        lt_pass "$desc"
    else
        lt_fail "$desc" "output matching /$re/i" "$(lt_excerpt "$file")"
    fi
}

lt_expect_not_contains() {
    local desc=$1 file=$2 needle=$3
    if [ -f "$file" ] && ! grep -qF -- "$needle" "$file"; then
        lt_pass "$desc"
    elif [ ! -f "$file" ]; then
        lt_fail "$desc" "an output file" "no file $file"
    else
        lt_fail "$desc" "no '$needle' in the output" "$(grep -nF -- "$needle" "$file" | head -n 3 | cut -c1-200)"
    fi
}

# lt_expect_file_eq DESC FILE EXPECTED_TEXT — the whole file, byte for byte.
lt_expect_file_eq() {
    local desc=$1 file=$2 want=$3
    local got
    got=$(cat "$file" 2>/dev/null; echo x)
    got=${got%x}
    if [ "$got" = "$want" ]; then
        lt_pass "$desc"
    else
        lt_fail "$desc" "exactly $(printf '%q' "$want")" "$(printf '%q' "$(head -c 400 "$file" 2>/dev/null)")"
    fi
}

lt_expect_eq() {
    local desc=$1 want=$2 got=$3
    if [ "$got" = "$want" ]; then
        lt_pass "$desc"
    else
        lt_fail "$desc" "'$want'" "'$got'"
    fi
}

# lt_expect_alive DESC NAME — the named server is still running.
lt_expect_alive() {
    local desc=$1 name=$2
    local pid
    pid=$(lt_pid "$name")
    if lt_is_ours "$pid"; then
        lt_pass "$desc"
    else
        local st
        wait "$pid" 2>/dev/null
        st=$?
        lt_reap "$pid" 0
        lt_fail "$desc" "server '$name' (pid $pid) still running" \
            "it exited with status $st; $(lt_excerpt "$(lt_server_err "$name")" 6)" "(server) $(cat "$WORK/$name.cmd")"
    fi
}

# lt_finish — stops every process still running (a FAIL for any that
# survives), then the summary line alone on a line; exit 1 on any failure (or
# no checks).
lt_finish() {
    lt_stop_all
    LT_FINISHED=1
    lt_log "== $TEST_NAME done"
    printf '%d passed, %d failed\n' "$LT_PASSED" "$LT_FAILED"
    if [ "$LT_FAILED" -gt 0 ] || [ "$LT_PASSED" -eq 0 ]; then
        exit 1
    fi
    exit 0
}

# ---------------------------------------------------------------- ports

# Is something listening on 127.0.0.1:PORT (or any address)? Reads
# /proc/net/tcp{,6}, so it never connects (a probe connection would count as a
# client for servers started with -naccept).
lt_port_listening() {
    local hex
    hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }'
}

lt_pick_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if ! lt_port_listening "$port" && ! grep -qF ":$(printf '%04X' "$port") " /proc/net/tcp 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "$port"
}

# ---------------------------------------------------------------- servers

lt_pid() { cat "$WORK/$1.pid"; }
lt_port() { cat "$WORK/$1.port"; }
lt_server_out() { echo "$WORK/$1.server.out"; }
lt_server_err() { echo "$WORK/$1.server.err"; }
# Both of a server's streams, as one file (a snapshot: call it after the fact).
lt_server_all() {
    cat "$WORK/$1.server.out" "$WORK/$1.server.err" >"$WORK/$1.server.all" 2>/dev/null
    echo "$WORK/$1.server.all"
}

# lt_start_server NAME CMD... — every argument equal to @PORT@ (or containing
# it) gets a fresh port. Stdin is /dev/null, or the file LT_SERVER_STDIN names. Waits until the port listens; retries on another port
# when the server dies (e.g. the port was taken meanwhile). Returns non-zero
# (and records a FAIL) when the server never comes up.
lt_start_server() {
    local name=$1
    shift
    local port pid out err
    out=$(lt_server_out "$name")
    err=$(lt_server_err "$name")
    for _ in 1 2 3; do
        port=$(lt_pick_port)
        local args=() a
        for a in "$@"; do
            args+=("${a//@PORT@/$port}")
        done
        printf '%q ' "${args[@]}" >"$WORK/$name.cmd"
        # Its own session and process group (setsid), so that stopping it
        # stops everything it runs: `timeout` below it is only a safety net
        # for when this script is SIGKILLed (a ctest timeout): no server
        # outlives it by more than LT_SERVER_LIFETIME.
        setsid timeout -k 5 "${LT_SERVER_LIFETIME:-600}" "${args[@]}" <"${LT_SERVER_STDIN:-/dev/null}" >"$out" 2>"$err" &
        pid=$!
        lt_adopt "$pid" "server '$name'" "$(cat "$WORK/$name.cmd")"
        echo "$pid" >"$WORK/$name.pid"
        echo "$port" >"$WORK/$name.port"
        for _ in $(seq 1 100); do
            if lt_port_listening "$port"; then
                LT_SERVER_NAMES+=("$name")
                return 0
            fi
            lt_is_ours "$pid" || break
            sleep 0.1
        done
        lt_term "$pid"
        lt_reap "$pid"
        if ! grep -qiE 'in use|bind' "$err" "$out" 2>/dev/null; then
            break
        fi
    done
    lt_fail "server '$name' starts and listens on 127.0.0.1:$port" "a listening socket within 10 s" \
        "$(lt_excerpt "$err" 8)" "$(cat "$WORK/$name.cmd")"
    return 1
}

# lt_start_lucidtls_server NAME [ARGS...] — `lucidtls server --port P --host 127.0.0.1 ARGS`,
# and checks the "listening on 127.0.0.1:P" line on stderr.
lt_start_lucidtls_server() {
    local name=$1
    shift
    lt_start_server "$name" "$LUCIDTLS" server --port @PORT@ --host 127.0.0.1 "$@" || return 1
    local port err
    port=$(lt_port "$name")
    err=$(lt_server_err "$name")
    for _ in $(seq 1 30); do
        grep -qF "listening on 127.0.0.1:$port" "$err" 2>/dev/null && break
        sleep 0.1
    done
    if grep -qF "listening on 127.0.0.1:$port" "$err" 2>/dev/null; then
        lt_pass "lucidtls server '$name' prints 'listening on 127.0.0.1:$port'"
    else
        lt_fail "lucidtls server '$name' prints 'listening on 127.0.0.1:$port'" \
            "that line on stderr" "$(lt_excerpt "$err" 5)" "$(cat "$WORK/$name.cmd")"
    fi
    return 0
}

# lt_start_openssl_server NAME [ARGS...] — `openssl s_server -accept 127.0.0.1:P ARGS`.
lt_start_openssl_server() {
    local name=$1
    shift
    lt_start_server "$name" openssl s_server -accept "127.0.0.1:@PORT@" "$@"
}

# lt_stop_server NAME — SIGTERM to its process group, SIGKILL after
# LT_REAP_GRACE seconds; FAILs if anything of it survives.
lt_stop_server() {
    local pid
    pid=$(lt_pid "$1")
    lt_term "$pid"
    lt_reap "$pid"
}

# Wait (LT_REAP_GRACE seconds) until an s_server started with -naccept 1 has
# exited by itself; then as lt_stop_server, without the SIGTERM.
lt_wait_exit() {
    local pid
    pid=$(lt_pid "$1")
    lt_reap "$pid"
}

# Is the named server still running?
lt_alive() { lt_is_ours "$(lt_pid "$1")"; }

# ---------------------------------------------------------------- clients

# LAST_OUT: stdout, LAST_ERR: stderr, LAST_ALL: both (after the command ends).
lt_new_files() {
    LAST_OUT=$WORK/$1.out
    LAST_ERR=$WORK/$1.err
    LAST_ALL=$WORK/$1.all
    rm -f "$LAST_OUT" "$LAST_ERR" "$LAST_ALL"
}

# lt_session NAME TIMEOUT SEND EXPECT CMD...
#   Runs CMD with stdin on a pipe we hold open. Writes SEND (printf %b), waits
#   until stdout contains EXPECT (a fixed string; empty: do not wait), or CMD
#   exits, or TIMEOUT seconds pass; then closes stdin and waits for CMD (at
#   most TIMEOUT more seconds). Sets LAST_OUT, LAST_ERR, LAST_RC, LAST_CMD.
lt_session() {
    local name=$1 tmo=$2 send=$3 expect=$4
    shift 4
    lt_new_files "$name"
    LAST_CMD=$(printf '%q ' "$@")
    local fifo=$WORK/$name.in pid fd deadline
    rm -f "$fifo"
    mkfifo "$fifo"
    setsid timeout -k 2 "$((tmo + 5))" "$@" <"$fifo" >"$LAST_OUT" 2>"$LAST_ERR" &
    pid=$!
    # Open the write end blocking: it returns once CMD has opened the read
    # end, so CMD cannot open it after we closed it and wait forever.
    exec {fd}>"$fifo"
    # (Only now: until the fifo opened, the child could not run setsid.)
    lt_adopt "$pid" "session '$name'" "$LAST_CMD"
    (trap '' PIPE; printf '%b' "$send" >&"$fd") 2>/dev/null
    if [ -n "$expect" ]; then
        deadline=$((SECONDS + tmo))
        while ! grep -qF -- "$expect" "$LAST_OUT" 2>/dev/null; do
            lt_is_ours "$pid" || break
            [ "$SECONDS" -ge "$deadline" ] && break
            sleep 0.05
        done
    fi
    exec {fd}>&-
    wait "$pid"
    LAST_RC=$?
    # Anything CMD left running in its group is stopped, and a FAIL.
    lt_reap "$pid" 0
    rm -f "$fifo"
    cat "$LAST_OUT" "$LAST_ERR" >"$LAST_ALL" 2>/dev/null
}

# lt_run NAME TIMEOUT GENERATOR CMD... — pipe the output of the shell
# function GENERATOR (or "-" for no input: /dev/null) into CMD.
lt_run() {
    local name=$1 tmo=$2 gen=$3
    shift 3
    lt_new_files "$name"
    LAST_CMD="$gen | $(printf '%q ' "$@")"
    if [ "$gen" = - ]; then
        LAST_CMD=$(printf '%q ' "$@")
        timeout -k 2 "$tmo" "$@" </dev/null >"$LAST_OUT" 2>"$LAST_ERR"
        LAST_RC=$?
    else
        "$gen" | timeout -k 2 "$tmo" "$@" >"$LAST_OUT" 2>"$LAST_ERR"
        LAST_RC=${PIPESTATUS[1]}
    fi
    cat "$LAST_OUT" "$LAST_ERR" >"$LAST_ALL" 2>/dev/null
}

# lt_wait_for FILE NEEDLE SECONDS — until FILE contains NEEDLE (fixed string); 1 on timeout.
lt_wait_for() {
    local file=$1 needle=$2 deadline=$((SECONDS + $3))
    until grep -qF -- "$needle" "$file" 2>/dev/null; do
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.05
    done
    return 0
}

# A token unique to this run, so an echo cannot be confused with anything else.
lt_token() { printf '%s-%s-%05d%05d' "$1" "$$" "$RANDOM" "$RANDOM"; }

lt_reverse() { printf '%s' "$1" | rev; }

# Upper-case hex with every non-hex character dropped: for finding a secret in
# narration however it is spaced or wrapped.
lt_hex_squash() { tr -cd '0-9A-Fa-f' <"$1" | tr 'a-f' 'A-F'; }

# lt_expect_secret_shown DESC FILE HEX / lt_expect_secret_hidden DESC FILE HEX
lt_expect_secret_shown() {
    local desc=$1 file=$2 hex
    hex=$(printf '%s' "$3" | tr 'a-f' 'A-F')
    if [ -n "$hex" ] && lt_hex_squash "$file" | grep -qF -- "$hex"; then
        lt_pass "$desc"
    else
        lt_fail "$desc" "the secret ${hex:0:16}... (${#hex} hex digits) in the output" "$(lt_excerpt "$file" 6)"
    fi
}
lt_expect_secret_hidden() {
    local desc=$1 file=$2 hex
    hex=$(printf '%s' "$3" | tr 'a-f' 'A-F')
    hex=${hex:0:32}
    if [ -z "$hex" ]; then
        lt_fail "$desc" "a secret to look for" "none (the peer's key log was empty)"
    elif [ ! -s "$file" ]; then
        lt_fail "$desc" "some output to search" "(empty)"
    elif lt_hex_squash "$file" | grep -qF -- "$hex"; then
        lt_fail "$desc" "no trace of the secret ${hex:0:16}..." "it appears in $(basename "$file")"
    else
        lt_pass "$desc"
    fi
}

# The six suites: "IANA OpenSSL" per line.
LT_SUITES="TLS_RSA_WITH_AES_128_CBC_SHA AES128-SHA
TLS_RSA_WITH_AES_256_CBC_SHA AES256-SHA
TLS_RSA_WITH_AES_128_CBC_SHA256 AES128-SHA256
TLS_RSA_WITH_AES_256_CBC_SHA256 AES256-SHA256
TLS_RSA_WITH_AES_128_GCM_SHA256 AES128-GCM-SHA256
TLS_RSA_WITH_AES_256_GCM_SHA384 AES256-GCM-SHA384"
# shellcheck disable=SC2034  # used by the test scripts
LT_ALL_OSSL="AES128-SHA:AES256-SHA:AES128-SHA256:AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384"

# The fourteen ECDHE suites (RFC 8422, RFC 5289, RFC 7905): "IANA OpenSSL
# AUTH" per line, AUTH being the certificate they need (RSA or ECDSA).
LT_ECDHE_SUITES="TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ECDHE-ECDSA-AES128-GCM-SHA256 ECDSA
TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ECDHE-RSA-AES128-GCM-SHA256 RSA
TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ECDHE-ECDSA-AES256-GCM-SHA384 ECDSA
TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ECDHE-RSA-AES256-GCM-SHA384 RSA
TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ECDHE-ECDSA-CHACHA20-POLY1305 ECDSA
TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 ECDHE-RSA-CHACHA20-POLY1305 RSA
TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 ECDHE-ECDSA-AES128-SHA256 ECDSA
TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 ECDHE-RSA-AES128-SHA256 RSA
TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 ECDHE-ECDSA-AES256-SHA384 ECDSA
TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 ECDHE-RSA-AES256-SHA384 RSA
TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA ECDHE-ECDSA-AES128-SHA ECDSA
TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA ECDHE-RSA-AES128-SHA RSA
TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA ECDHE-ECDSA-AES256-SHA ECDSA
TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA ECDHE-RSA-AES256-SHA RSA"

# The IANA name of a suite given by its OpenSSL name (any of the twenty);
# empty for anything else.
lt_iana_of() { printf '%s\n%s\n' "$LT_SUITES" "$LT_ECDHE_SUITES" | awk -v o="$1" '$2 == o { print $1 }'; }

# Is the OpenSSL suite name a CBC one (encrypt-then-MAC applies, RFC 7366)?
lt_is_cbc() { case $1 in *GCM* | *CHACHA20*) return 1 ;; *) return 0 ;; esac; }

# The certificate chain and key for a kind of identity: RSA, ECDSA (P-256) or P384.
lt_chain_of() { case $1 in RSA) echo "$PKI/chain.pem" ;; ECDSA) echo "$PKI/chain-p256.pem" ;; P384) echo "$PKI/chain-p384.pem" ;; esac; }
lt_key_of() { case $1 in RSA) echo "$PKI/server.key" ;; ECDSA) echo "$PKI/server-p256.key" ;; P384) echo "$PKI/server-p384.key" ;; esac; }

# ---------------------------------------------------------------- handshake messages in -msg output

# lt_msg_hex FILE DIR NAME — the bytes of the first handshake message NAME
# (e.g. ServerHello) that an openssl s_client/s_server run with -msg logged in
# direction DIR (">>>" sent, "<<<" received), as one lower-case hex string
# (header included). Empty when there is none.
lt_msg_hex() {
    awk -v dir="$2" -v name="$3" '
        grabbing && /^    ([0-9a-f][0-9a-f] ?)+$/ { gsub(/ /, ""); printf "%s", $0; next }
        grabbing { exit }
        index($0, dir " ") == 1 && $NF == name && /Handshake/ { grabbing = 1 }
    ' "$1" 2>/dev/null
}

# lt_hex_at HEX OFFSET LEN — LEN bytes at byte OFFSET, as hex.
lt_hex_at() { printf '%s' "${1:$(($2 * 2)):$(($3 * 2))}"; }

# lt_ske_group HEX / lt_ske_sigalg HEX — of an ECDHE ServerKeyExchange (RFC
# 8422 5.4): the named curve (4 hex digits) and the signature scheme (RFC
# 5246 7.4.1.4.1, 4 hex digits). Empty when the message is not an ECDHE one
# with a named curve.
lt_ske_group() {
    [ "$(lt_hex_at "$1" 0 1)" = 0c ] && [ "$(lt_hex_at "$1" 4 1)" = 03 ] || return 0
    lt_hex_at "$1" 5 2
}
lt_ske_sigalg() {
    [ "$(lt_hex_at "$1" 0 1)" = 0c ] && [ "$(lt_hex_at "$1" 4 1)" = 03 ] || return 0
    local plen=$((16#$(lt_hex_at "$1" 7 1)))
    lt_hex_at "$1" $((8 + plen)) 2
}

# lt_sh_extensions HEX — the extension types of a ServerHello (RFC 5246
# 7.4.1.3), as 4-hex-digit codes, one per line.
lt_sh_extensions() {
    local hex=$1 off total end
    [ "$(lt_hex_at "$hex" 0 1)" = 02 ] || return 0
    off=$((4 + 2 + 32))
    off=$((off + 1 + 16#$(lt_hex_at "$hex" "$off" 1) + 2 + 1))
    [ $((off * 2)) -lt ${#hex} ] || return 0
    total=$((16#$(lt_hex_at "$hex" "$off" 2)))
    off=$((off + 2))
    end=$((off + total))
    while [ "$off" -lt "$end" ]; do
        lt_hex_at "$hex" "$off" 2
        echo
        off=$((off + 4 + 16#$(lt_hex_at "$hex" $((off + 2)) 2)))
    done
}

# lt_sh_has_ext HEX CODE — does the ServerHello carry extension CODE (4 hex digits)?
# (Not `lt_sh_extensions | grep -q`: under pipefail, grep's early exit would
# make the pipeline fail.)
lt_sh_has_ext() {
    local exts
    exts=$(lt_sh_extensions "$1")
    case $'\n'"$exts"$'\n' in *$'\n'"$2"$'\n'*) return 0 ;; esac
    return 1
}

# lt_expect_gnutls_no_etm DESC FILE — gnutls-cli/gnutls-serv printed its
# "- Options:" line, and it does not name EtM (encrypt-then-MAC).
lt_expect_gnutls_no_etm() {
    local opts
    opts=$(grep -m1 '^- Options:' "$2" 2>/dev/null)
    if [ -n "$opts" ] && [ "${opts/EtM/}" = "$opts" ]; then
        lt_pass "$1"
    else
        lt_fail "$1" "a '- Options:' line without EtM" "${opts:-no Options line}"
    fi
}

# Code points as the -msg bytes show them.
# shellcheck disable=SC2034  # used by the test scripts
declare -A LT_GROUP_CODE=([X25519]=001d [P-256]=0017 [P-384]=0018)
# shellcheck disable=SC2034
declare -A LT_SIGALG_CODE=([rsa_pkcs1_sha256]=0401 [rsa_pkcs1_sha384]=0501 [rsa_pkcs1_sha512]=0601
    [rsa_pss_rsae_sha256]=0804 [rsa_pss_rsae_sha384]=0805 [rsa_pss_rsae_sha512]=0806
    [ecdsa_secp256r1_sha256]=0403 [ecdsa_secp384r1_sha384]=0503)

# lt_expect_one_line DESC: a failing client printed exactly one line on
# stderr ($LAST_ERR), and it starts with "lucidtls: ". (A "lucidtls: hint: "
# line after it, at most one, is not counted: the client adds it when the
# server refused every version or suite we offered.)
lt_expect_one_line() {
    local desc=$1 n hints
    n=$(grep -v '^lucidtls: hint: ' "$LAST_ERR" 2>/dev/null | grep -c .)
    hints=$(grep -c '^lucidtls: hint: ' "$LAST_ERR" 2>/dev/null)
    if [ "${n:-0}" = 1 ] && [ "${hints:-0}" -le 1 ] && grep -q '^lucidtls: ' "$LAST_ERR"; then
        lt_pass "$desc: exactly one line on stderr, 'lucidtls: ...'"
    else
        lt_fail "$desc: exactly one line on stderr, 'lucidtls: ...'" "1 line starting 'lucidtls: '" \
            "${n:-0} lines: $(lt_excerpt "$LAST_ERR" 4)"
    fi
}

# ================================================================ peers13 block (TLS 1.3 peers)
# Added for the TLS 1.3 peer scripts (test_chromium.sh and others); nothing
# above depends on it.

# lt_skip_test WHY — the peer this script needs cannot run here (not
# installed, or it cannot start in this environment): say so, stop whatever
# was started, exit 0 without counting a failure. Only for a missing or
# unusable third-party peer, never for something of ours.
lt_skip_test() {
    lt_log "SKIP: $TEST_NAME: $1"
    lt_stop_all
    LT_FINISHED=1
    lt_log "== $TEST_NAME skipped: $1"
    printf '%d passed, %d failed\n' "$LT_PASSED" "$LT_FAILED"
    [ "$LT_FAILED" -gt 0 ] && exit 1
    exit 0
}
# ================================================================ end of peers13 block

# ================================================================ TLS 1.3 (test_openssl_tls13_*.sh)
# Helpers for the TLS 1.3 interop scripts: -msg parsing beyond the first
# message, ServerHello 1.3 extensions, key log comparison, a big chain, and the
# record re-framing proxy.

# RFC 8446 4.1.3: the ServerHello.random of a HelloRetryRequest
# (SHA-256("HelloRetryRequest")), and the last 8 bytes of the random of a
# TLS 1.3-capable server that negotiates TLS 1.2 ("DOWNGRD" 01).
# shellcheck disable=SC2034  # used by the test scripts
LT_HRR_RANDOM=cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c
# shellcheck disable=SC2034
LT_DOWNGRADE_TLS12=444f574e47524401
# The five secrets of a TLS 1.3 connection in the NSS key log.
LT_KEYLOG13_LABELS="CLIENT_HANDSHAKE_TRAFFIC_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET CLIENT_TRAFFIC_SECRET_0
SERVER_TRAFFIC_SECRET_0 EXPORTER_SECRET"
# The TLS 1.3 suites: "IANA code" per line.
# shellcheck disable=SC2034
LT_SUITES13="TLS_AES_128_GCM_SHA256 1301
TLS_AES_256_GCM_SHA384 1302
TLS_CHACHA20_POLY1305_SHA256 1303"

# lt_msg_count FILE DIR NAME — how many handshake messages NAME openssl's -msg
# logged in direction DIR (">>>" sent, "<<<" received).
lt_msg_count() {
    awk -v dir="$2" -v name="$3" 'index($0, dir " ") == 1 && $NF == name && /Handshake/ { n++ } END { print n + 0 }' \
        "$1" 2>/dev/null || echo 0
}

# lt_msg_hex_nth FILE DIR NAME N — as lt_msg_hex, for the Nth such message (from 1).
lt_msg_hex_nth() {
    awk -v dir="$2" -v name="$3" -v want="$4" '
        grabbing && /^    ([0-9a-f][0-9a-f] ?)+$/ { gsub(/ /, ""); printf "%s", $0; next }
        grabbing { exit }
        index($0, dir " ") == 1 && $NF == name && /Handshake/ && ++n == want { grabbing = 1 }
    ' "$1" 2>/dev/null
}

# lt_msg_len_max FILE DIR NAME — the largest length openssl's -msg gave a
# handshake message NAME in direction DIR, in bytes (0 if none).
lt_msg_len_max() {
    # (mawk has no strtonum: the hex digits are added up by hand.)
    awk -v dir="$2" -v name="$3" '
        index($0, dir " ") == 1 && $NF == name && /Handshake/ && match($0, /length [0-9a-f]+/) {
            h = substr($0, RSTART + 7, RLENGTH - 7); v = 0
            for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
            if (v > m) m = v
        }
        END { print m + 0 }' "$1" 2>/dev/null || echo 0
}

# lt_msg_order FILE A B — does the first line matching ERE A come before the
# first matching ERE B (or is there no B at all)? Fails when there is no A.
lt_msg_order() {
    awk -v a="$2" -v b="$3" '$0 ~ a { found = 1; exit } $0 ~ b { exit 1 } END { exit !found }' "$1" 2>/dev/null
}

# lt_expect_re DESC ERE VALUE — VALUE matches the extended regex ERE whole.
lt_expect_re() {
    if [[ $3 =~ ^($2)$ ]]; then
        lt_pass "$1"
    else
        lt_fail "$1" "a value matching /^($2)\$/" "'$3'"
    fi
}

# lt_msg_answered_before_data FILE — in openssl's -msg log: after the first
# KeyUpdate it sent, a KeyUpdate came back before any application data
# (RFC 8446 4.6.3: the answer goes "prior to sending its next Application
# Data record"; -msg shows each record's inner content type, 17 for data).
lt_msg_answered_before_data() {
    awk '
        !armed && /^>>> / && $NF == "KeyUpdate" { armed = 1; next }
        armed && /^<<< / && $NF == "KeyUpdate" { ok = 1; exit }
        armed && /^<<< .*InnerContent/ { inner = 1; next }
        inner && /^    17$/ { exit }
        { inner = 0 }
        END { exit !ok }' "$1" 2>/dev/null
}

# lt_sh_random HEX — the 32-byte random of a ServerHello (header included), as hex.
lt_sh_random() {
    [ "$(lt_hex_at "$1" 0 1)" = 02 ] || return 0
    lt_hex_at "$1" 6 32
}

# lt_sh_ext_data HEX CODE — the body of extension CODE (4 hex digits) of a
# ServerHello (RFC 8446 4.1.3), as hex; empty when absent.
lt_sh_ext_data() {
    local hex=$1 off total end type len
    [ "$(lt_hex_at "$hex" 0 1)" = 02 ] || return 0
    off=$((4 + 2 + 32))
    off=$((off + 1 + 16#$(lt_hex_at "$hex" "$off" 1) + 2 + 1))
    [ $((off * 2)) -lt ${#hex} ] || return 0
    total=$((16#$(lt_hex_at "$hex" "$off" 2)))
    off=$((off + 2))
    end=$((off + total))
    while [ "$off" -lt "$end" ] && [ $((off * 2 + 8)) -le ${#hex} ]; do
        type=$(lt_hex_at "$hex" "$off" 2)
        len=$((16#$(lt_hex_at "$hex" $((off + 2)) 2)))
        if [ "$type" = "$2" ]; then
            lt_hex_at "$hex" $((off + 4)) "$len"
            return 0
        fi
        off=$((off + 4 + len))
    done
}

# lt_sh13_group HEX — the group of the key_share of a TLS 1.3 ServerHello or
# HelloRetryRequest (RFC 8446 4.2.8: a KeyShareEntry, or the selected group
# alone), 4 hex digits.
lt_sh13_group() {
    local d
    d=$(lt_sh_ext_data "$1" 0033)
    lt_hex_at "$d" 0 2
}

# lt_sh_suite HEX — the cipher suite of a ServerHello, 4 hex digits.
lt_sh_suite() {
    [ "$(lt_hex_at "$1" 0 1)" = 02 ] || return 0
    local off=$((4 + 2 + 32))
    off=$((off + 1 + 16#$(lt_hex_at "$1" "$off" 1)))
    lt_hex_at "$1" "$off" 2
}

# lt_cv_scheme HEX — the signature scheme of a TLS 1.3 CertificateVerify
# (RFC 8446 4.4.3), 4 hex digits.
lt_cv_scheme() {
    [ "$(lt_hex_at "$1" 0 1)" = 0f ] || return 0
    lt_hex_at "$1" 4 2
}

# lt_keylog_secret FILE LABEL — the secret of the last LABEL line of an NSS
# key log, lower case; empty if none.
lt_keylog_secret() {
    awk -v l="$2" '$1 == l { s = $3 } END { print tolower(s) }' "$1" 2>/dev/null
}

# lt_expect_keylogs_agree DESC OURS THEIRS — every one of the five TLS 1.3
# labels is in both key logs, with the same client random and secret.
lt_expect_keylogs_agree() {
    local desc=$1 ours=$2 theirs=$3 label a b
    for label in $LT_KEYLOG13_LABELS; do
        a=$(awk -v l="$label" '$1 == l { s = $2 " " $3 } END { print tolower(s) }' "$theirs" 2>/dev/null)
        b=$(awk -v l="$label" '$1 == l { s = $2 " " $3 } END { print tolower(s) }' "$ours" 2>/dev/null)
        if [ -z "$a" ]; then
            lt_fail "$desc: $label" "a $label line in OpenSSL's key log" "none: $(lt_excerpt "$theirs" 6)"
        elif [ "$a" = "$b" ]; then
            lt_pass "$desc: $label, same client random and secret"
        else
            lt_fail "$desc: $label, same client random and secret" "'$a'" "'${b:-no such line in ours}'"
        fi
    done
}

# lt_make_big_chain DIR N PAD — a server chain too big for one record: N
# intermediate CAs under $PKI/ca.pem, each carrying an extension of PAD
# bytes, and a leaf for localhost / 127.0.0.1 (all P-256 keys). Writes
# DIR/leaf.pem, DIR/leaf.key, DIR/intermediates.pem (nearest the leaf first),
# DIR/chain.pem (the leaf, then the intermediates).
lt_make_big_chain() {
    local dir=$1 n=$2 pad=$3 i issuer issuer_key filler
    mkdir -p "$dir"
    filler=$(head -c "$pad" /dev/zero | tr '\0' 'x')
    cat >"$dir/ext.cnf" <<CNF
[ int_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.4.1.55555.1 = ASN1:UTF8String:$filler
[ leaf_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
1.3.6.1.4.1.55555.1 = ASN1:UTF8String:$filler
CNF
    issuer=$PKI/ca.pem
    issuer_key=$PKI/ca.key
    : >"$dir/up.pem"
    for i in $(seq 1 "$n"); do
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/int$i.key" \
            -subj "/CN=lucidtls big-chain intermediate $i" -out "$dir/int$i.csr" 2>/dev/null || return 1
        openssl x509 -req -in "$dir/int$i.csr" -CA "$issuer" -CAkey "$issuer_key" -set_serial "$((7000 + i))" \
            -days 30 -sha256 -extfile "$dir/ext.cnf" -extensions int_ext -out "$dir/int$i.pem" 2>/dev/null || return 1
        issuer=$dir/int$i.pem
        issuer_key=$dir/int$i.key
    done
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/leaf.key" \
        -subj "/CN=localhost" -out "$dir/leaf.csr" 2>/dev/null || return 1
    openssl x509 -req -in "$dir/leaf.csr" -CA "$issuer" -CAkey "$issuer_key" -set_serial 7999 -days 30 -sha256 \
        -extfile "$dir/ext.cnf" -extensions leaf_ext -out "$dir/leaf.pem" 2>/dev/null || return 1
    : >"$dir/intermediates.pem"
    for i in $(seq "$n" -1 1); do
        cat "$dir/int$i.pem" >>"$dir/intermediates.pem"
    done
    cat "$dir/leaf.pem" "$dir/intermediates.pem" >"$dir/chain.pem"
}

# lt_start_reframe_proxy NAME TARGET_PORT — tests/interop/reframe_proxy.py on
# a fresh port in front of 127.0.0.1:TARGET_PORT: every plaintext handshake
# record, both ways, goes on as 1-byte records. Its report (one line per
# connection and direction) is on its stderr, lt_server_err NAME.
lt_start_reframe_proxy() {
    lt_start_server "$1" python3 -u "$LT_ROOT/tests/interop/reframe_proxy.py" @PORT@ "$2"
}

# lt_proxy_reframed NAME DIR — how many 1-byte handshake records the proxy
# NAME wrote in direction DIR (c2s or s2c), summed over its connections.
lt_proxy_reframed() {
    awk -v d="$2" '$1 == "conn" && $3 == d { for (i = 4; i <= NF; i++) if ($i == "reframed") n += $(i + 1) } END { print n + 0 }' \
        "$(lt_server_err "$1")" 2>/dev/null || echo 0
}
# lt_msg_tiny_records FILE DIR — how many 1-byte handshake records (header
# 16 03 0x 00 01) openssl's -msg logged in direction DIR.
lt_msg_tiny_records() {
    awk -v dir="$2" 'hdr && /^    16 03 0[0-9a-f] 00 01$/ { n++ } { hdr = index($0, dir " ") == 1 && /RecordHeader/ }
        END { print n + 0 }' "$1" 2>/dev/null || echo 0
}
# ================================================================ end of TLS 1.3 helpers
