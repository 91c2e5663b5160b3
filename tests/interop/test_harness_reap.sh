#!/usr/bin/env bash
# test_harness_reap.sh BUILD_DIR — the test harness leaves no server behind.
#
# In an ASan run, lib.sh's cleanup SIGTERMed the `timeout` wrapper of the
# IPv6 case's `lucidtls server`, waited 3 s, then SIGKILLed the wrapper: the
# server, slower than that, was left orphaned and spent 11 CPU-minutes.
# Each case here runs reap_case.sh, a miniature suite that starts a server
# through lib.sh under `timeout` as the suites do and exits through
# lt_finish; then no process of that server may be alive:
#   stubborn  a server that ignores SIGTERM is killed with its group;
#   escape    a server child that left the group is found, the suite FAILs,
#             and the child is killed all the same;
#   lucidtls  `lucidtls server` goes, and the suite does not FAIL.
# Then scripts/check_strays.sh (scripts/test.sh runs it after the suites)
# finds a stray `lucidtls server`, fails and stops it.
#
# LT_INTEROP_LIB=/path/to/old/lib.sh runs the cases on another lib.sh: on
# the lib.sh before process groups, stubborn and escape fail here.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
lt_setup "$@"
lt_require_cli
command -v python3 >/dev/null 2>&1 || { lt_fail "python3 is installed" "python3" "not found"; lt_finish; }

OUT=$WORK/cases
mkdir -p "$OUT"

# alive PID START: the process is still there (and not a zombie).
alive() { lt_pg_alive "$1" "$2"; }

# run_case CASE: runs it; sets CASE_RC and CASE_LOG.
run_case() {
    CASE_LOG=$WORK/$1.log
    LT_REAP_GRACE=1 timeout -k 5 60 bash "$HERE/reap_case.sh" "$BUILD" "$1" "$OUT" >"$CASE_LOG" 2>&1
    CASE_RC=$?
    # A failing case keeps its work dir; this test keeps its own instead.
    local w
    w=$(sed -n 's/^== reap_case: .* work=\(.*\)$/\1/p' "$CASE_LOG" | head -n 1)
    case $w in "${TMPDIR:-/tmp}"/lt-reap_case.*) [ "${LT_KEEP_WORK:-0}" = 1 ] || rm -rf "$w" ;; esac
}

# check_gone CASE: none of the processes reap_case.sh listed is alive; any
# that is gets killed here, so that this test leaks nothing either.
check_gone() {
    local case=$1 pid start role left=()
    if [ ! -s "$OUT/$case.procs" ]; then
        lt_fail "$case: the case listed its server's processes" "$OUT/$case.procs" "$(lt_excerpt "$CASE_LOG" 10)" "reap_case.sh $case"
        return
    fi
    while read -r pid start role; do
        if alive "$pid" "$start"; then
            left+=("$pid ($role): $(lt_pg_cmdline "$pid" | cut -c1-80)")
            kill -KILL "$pid" 2>/dev/null
        fi
    done <"$OUT/$case.procs"
    if [ ${#left[@]} -eq 0 ]; then
        lt_pass "$case: no process of the server is alive after the suite's cleanup ($(wc -l <"$OUT/$case.procs") checked)"
    else
        LAST_ERR="" lt_fail "$case: no process of the server is alive after the suite's cleanup" "all of $(wc -l <"$OUT/$case.procs") gone" \
            "still running: ${left[*]} (killed now); suite log: $(lt_excerpt "$CASE_LOG" 6)" "reap_case.sh $case"
    fi
}

# ------------------------------------------------------------ a server that ignores SIGTERM
run_case stubborn
lt_expect_rc "stubborn: the suite passes (a server killed with its group is no failure)" 0 "$CASE_RC"
check_gone stubborn

# ------------------------------------------------------------ a child that left the group
run_case escape
lt_expect_rc "escape: the suite fails" 1 "$CASE_RC"
lt_expect_match "escape: ... with a FAIL naming the survivor" "$CASE_LOG" \
    "^FAIL: no process of server 'escape' outlives it"
check_gone escape

# ------------------------------------------------------------ lucidtls server
run_case lucidtls
lt_expect_rc "lucidtls: the suite passes" 0 "$CASE_RC"
lt_expect_contains "lucidtls: ... with no failure" "$CASE_LOG" " passed, 0 failed"
check_gone lucidtls
if [ "$(wc -l 2>/dev/null <"$OUT/lucidtls.procs")" = 2 ]; then
    lt_pass "lucidtls: the case saw timeout and lucidtls server"
else
    lt_fail "lucidtls: the case saw timeout and lucidtls server" "2 processes" "$(cat "$OUT/lucidtls.procs" 2>/dev/null)"
fi

# ------------------------------------------------------------ scripts/check_strays.sh
# A "build directory" of our own ($WORK/bin/lucidtls, a link to the CLI), so
# that the check cannot see, or stop, another test's servers.
mkdir -p "$WORK/bin"
ln -s "$LUCIDTLS" "$WORK/bin/lucidtls"
setsid "$WORK/bin/lucidtls" server --port 0 --host 127.0.0.1 --cert "$PKI/chain.pem" --key "$PKI/server.key" \
    </dev/null >"$WORK/stray.out" 2>"$WORK/stray.err" &
STRAY=$!
lt_adopt "$STRAY" "stray lucidtls server" "$WORK/bin/lucidtls server --port 0 ..."
STRAY_START=${LT_STARTS[$STRAY]}
lt_wait_for "$WORK/stray.err" "listening on" 10 || lt_fail "the stray server starts" "'listening on' on stderr" "$(lt_excerpt "$WORK/stray.err" 4)"
lt_run strays 30 - "$LT_ROOT/scripts/check_strays.sh" "$WORK/bin"
lt_expect_rc "check_strays.sh fails on a stray lucidtls server" 1
lt_expect_contains "check_strays.sh names it" "$LAST_OUT" "stray: pid $STRAY: $WORK/bin/lucidtls server"
if alive "$STRAY" "$STRAY_START"; then
    LAST_ERR="" lt_fail "check_strays.sh stops the stray" "pid $STRAY gone" "still running"
else
    lt_pass "check_strays.sh stops the stray"
fi
wait "$STRAY" 2>/dev/null
lt_forget "$STRAY"
lt_run strays-none 30 - "$LT_ROOT/scripts/check_strays.sh" "$WORK/bin"
lt_expect_rc "check_strays.sh passes with none left" 0
lt_expect_contains "check_strays.sh says so" "$LAST_OUT" "no stray lucidtls processes"

lt_finish
