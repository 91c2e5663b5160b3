#!/usr/bin/env bash
# tests/load/run.sh BUILD_DIR [CLIENTS] [BYTES] — load test for `lucidtls server`.
#
# Makes the test PKI, starts `lucidtls server` (echo) on a free port, runs
# BUILD_DIR/lt_loadgen with CLIENTS concurrent clients (default 200), each
# sending BYTES (default 1 MiB) and checking the echo byte for byte, then
# prints the server's peak RSS (VmHWM) and stops it with SIGTERM.
#
# Exits 0 only when every client completed correctly, the server was still
# alive afterwards, it exited 0 on SIGTERM, and nothing of it outlived it:
# the server runs in a session and process group of its own (setsid,
# scripts/procs.sh), cleanup stops the whole group, and a process of it
# still alive after that is a FAIL.
#
# Knobs: LUCIDTLS (the CLI, default BUILD_DIR/lucidtls), LT_LOAD_SERVER_ARGS
# (extra server flags), LT_KEEP_WORK=1 (keep the work dir with the logs).
set -uo pipefail

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 BUILD_DIR [CLIENTS] [BYTES]" >&2
    exit 2
fi
BUILD=$(cd "$1" && pwd)
CLIENTS=${2:-200}
BYTES=${3:-1048576}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LUCIDTLS=${LUCIDTLS:-$BUILD/lucidtls}
LOADGEN=$BUILD/lt_loadgen
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lt-load.XXXXXX")
SERVER_PID=""
SERVER_START=""
# shellcheck source=../../scripts/procs.sh
. "$ROOT/scripts/procs.sh"
set +m # job control would make setsid fork

fatal() {
    echo "FAIL: $*"
    exit 1
}

# stop_server GRACE: SIGTERM to its group (unless GRACE is 0: it should be
# gone already), SIGKILL after GRACE seconds; 1 (and a FAIL line) if a
# process of it survives.
stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    [ "$1" = 0 ] || lt_pg_term "$SERVER_PID" "$SERVER_START"
    if lt_pg_reap "$SERVER_PID" "$SERVER_START" "$1"; then
        SERVER_PID=""
        return 0
    fi
    echo "FAIL: a process of lucidtls server (process group $SERVER_PID) outlived it; killed now:"
    printf '    pid %s\n' "${LT_PG_SURVIVORS[@]}"
    SERVER_PID=""
    return 1
}

cleanup() {
    local rc=$?
    stop_server 3 || rc=1
    if [ "$rc" != 0 ] || [ "${LT_KEEP_WORK:-0}" = 1 ]; then
        echo "== work dir kept: $WORK"
        if [ -s "$WORK/server.err" ]; then
            echo "== server stderr (last 10 lines):"
            tail -n 10 "$WORK/server.err" | sed 's/^/    | /'
        fi
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

for f in "$LUCIDTLS" "$LOADGEN"; do
    [ -x "$f" ] || fatal "$f is not built"
done

# One descriptor per client on each side (loadgen and server), plus slack.
need=$((CLIENTS + 64))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
    ulimit -S -n "$need" 2>/dev/null || ulimit -S -n "$(ulimit -H -n)" 2>/dev/null
    if [ "$(ulimit -n)" -lt "$need" ]; then
        fatal "ulimit -n is $(ulimit -n) (hard $(ulimit -H -n)); $need descriptors are needed"
    fi
fi

PKI=$BUILD/interop-pki
"$ROOT/scripts/make_test_pki.sh" "$PKI" >"$WORK/pki.log" 2>&1 || {
    cat "$WORK/pki.log"
    fatal "scripts/make_test_pki.sh failed"
}

# --port 0: the kernel picks a free port; the server names it on stderr.
# shellcheck disable=SC2086  # LT_LOAD_SERVER_ARGS is a list of flags
setsid "$LUCIDTLS" server --port 0 --host 127.0.0.1 --cert "$PKI/chain.pem" --key "$PKI/server.key" \
    ${LT_LOAD_SERVER_ARGS:-} </dev/null >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
lt_pg_adopt "$SERVER_PID" || fatal "lucidtls server did not get a session of its own (setsid)"
SERVER_START=$LT_PG_START
PORT=""
for _ in $(seq 1 100); do
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$WORK/server.err" | head -n 1)
    [ -n "$PORT" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
done
[ -n "$PORT" ] || fatal "lucidtls server did not start listening"
echo "== load: $CLIENTS clients x $BYTES bytes against lucidtls server pid $SERVER_PID on 127.0.0.1:$PORT"

"$LOADGEN" --host 127.0.0.1 --port "$PORT" --cafile "$PKI/ca.pem" --servername localhost \
    --clients "$CLIENTS" --bytes "$BYTES" --timeout 300 2>&1 | tee "$WORK/loadgen.out"
LOADGEN_RC=${PIPESTATUS[0]}

ALIVE=0
if kill -0 "$SERVER_PID" 2>/dev/null; then
    ALIVE=1
    HWM=$(awk '/^VmHWM:/ { print $2, $3 }' "/proc/$SERVER_PID/status" 2>/dev/null)
    RSS=$(awk '/^VmRSS:/ { print $2, $3 }' "/proc/$SERVER_PID/status" 2>/dev/null)
    echo "server: peak RSS (VmHWM) $HWM; RSS now $RSS"
fi
FAILED_LINES=$(grep -c '^client ' "$WORK/server.err" 2>/dev/null)
echo "server: ${FAILED_LINES:-0} failed-client line(s) on stderr"

STOP_RC=""
if [ "$ALIVE" = 1 ]; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID"
    STOP_RC=$?
fi

ok=1
# Gone, and nothing of its group left behind.
stop_server 0 || ok=0
[ "$LOADGEN_RC" = 0 ] || { echo "FAIL: loadgen exited $LOADGEN_RC (not every client completed correctly)"; ok=0; }
[ "$ALIVE" = 1 ] || { echo "FAIL: the server died during the run"; ok=0; }
[ "$ALIVE" = 0 ] || [ "$STOP_RC" = 0 ] || { echo "FAIL: the server exited $STOP_RC on SIGTERM (want 0)"; ok=0; }
if [ "$ok" = 1 ]; then
    echo "PASS: $CLIENTS clients x $BYTES bytes, all echoed correctly; server alive, clean exit on SIGTERM"
    exit 0
fi
exit 1
