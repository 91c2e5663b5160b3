#!/usr/bin/env bash
# tests/hostile/run.sh BUILD_DIR [--only REGEX]
#
# Makes the test PKI (scripts/make_test_pki.sh), starts `lucidtls server` on a
# free port, runs the hostile-peer cases (test_hostile.py) against it and
# against `lucidtls client`, and stops everything on exit.
#
# Environment: LUCIDTLS (the CLI, default BUILD_DIR/lucidtls),
# LT_HOSTILE_SLOW=0 (skip the cases that need a concurrent server),
# LT_KEEP_WORK=1 (keep the work dir with the server's stderr).
#
# The last line is "N passed, N failed"; the exit status is non-zero on any
# failure. The server and test_hostile.py (with the `lucidtls client`s it
# runs) each run in a session and process group of their own (setsid,
# scripts/procs.sh): cleanup stops the whole group, and any process of one
# still alive after that is a FAIL too.
set -u

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 BUILD_DIR [--only REGEX]" >&2
    exit 2
fi
BUILD=$(cd "$1" && pwd)
shift
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LUCIDTLS=${LUCIDTLS:-$BUILD/lucidtls}
PKI=$BUILD/interop-pki
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lt-hostile.XXXXXX")
SERVER_PID=""
SERVER_START=""
PY_PID=""
PY_START=""
FINISHED=0
# shellcheck source=../../scripts/procs.sh
. "$ROOT/scripts/procs.sh"
set +m # job control would make setsid fork

# stop NAME PID START GRACE: SIGTERM to the group (unless GRACE is 0: it
# should be gone already), SIGKILL after GRACE seconds; 1 (and a FAIL line)
# if a process of it survives.
stop() {
    local name=$1 pid=$2 start=$3 grace=$4
    [ -n "$pid" ] || return 0
    [ "$grace" = 0 ] || lt_pg_term "$pid" "$start"
    lt_pg_reap "$pid" "$start" "$grace" && return 0
    echo "FAIL: a process of $name (process group $pid) outlived it; killed now:"
    printf '    pid %s\n' "${LT_PG_SURVIVORS[@]}"
    return 1
}

cleanup() {
    local rc=$?
    if ! stop test_hostile.py "$PY_PID" "$PY_START" 3; then
        rc=1
    fi
    if ! stop "lucidtls server" "$SERVER_PID" "$SERVER_START" 3; then
        rc=1
    fi
    # On failure the work dir stays (its path was printed at the start), so
    # that the summary line stays the last line.
    if [ "${LT_KEEP_WORK:-0}" != 1 ] && [ "$rc" = 0 ]; then
        rm -rf "$WORK"
    fi
    if [ "$FINISHED" = 0 ]; then
        echo "== work dir kept: $WORK"
        echo "== hostile ended early (status $rc)"
        echo "0 passed, 1 failed"
        [ "$rc" = 0 ] && rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM HUP

fatal() {
    echo "FATAL: $*"
    exit 1
}

command -v python3 >/dev/null 2>&1 || fatal "python3 is not installed"
command -v openssl >/dev/null 2>&1 || fatal "openssl is not installed (scripts/make_test_pki.sh needs it)"
[ -x "$LUCIDTLS" ] || fatal "no lucidtls CLI at $LUCIDTLS (did it build?)"

if ! "$ROOT/scripts/make_test_pki.sh" "$PKI" >"$WORK/pki.log" 2>&1; then
    cat "$WORK/pki.log"
    fatal "scripts/make_test_pki.sh failed"
fi

# --port 0: the kernel picks a free port; the server names it on stderr.
setsid "$LUCIDTLS" server --port 0 --host 127.0.0.1 --cert "$PKI/chain.pem" --key "$PKI/server.key" \
    </dev/null >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
lt_pg_adopt "$SERVER_PID" || fatal "lucidtls server did not get a session of its own (setsid)"
SERVER_START=$LT_PG_START
PORT=""
for _ in $(seq 1 100); do
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$WORK/server.err" 2>/dev/null | head -n 1)
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$PORT" ]; then
    cat "$WORK/server.err"
    fatal "lucidtls server did not start listening"
fi
echo "== hostile: server pid $SERVER_PID on 127.0.0.1:$PORT, pki $PKI"
echo "== work dir $WORK (kept on failure; the server's stderr is server.err)"

setsid timeout -k 5 240 python3 "$HERE/test_hostile.py" --lucidtls "$LUCIDTLS" --pki "$PKI" --port "$PORT" \
    --server-pid "$SERVER_PID" --server-log "$WORK/server.err" "$@" &
PY_PID=$!
lt_pg_adopt "$PY_PID" || fatal "test_hostile.py did not get a session of its own (setsid)"
PY_START=$LT_PG_START
wait "$PY_PID"
rc=$?
# Whatever it left running (a `lucidtls client`) is a failure.
stop test_hostile.py "$PY_PID" "$PY_START" 0 || rc=1
PY_PID=""
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
    echo "== test_hostile.py timed out"
    echo "0 passed, 1 failed"
fi
FINISHED=1
exit "$rc"
