#!/usr/bin/env bash
# tests/interop/reap_case.sh BUILD_DIR CASE OUT_DIR — one case of
# test_harness_reap.sh: a suite in miniature. It starts a server through
# lib.sh exactly as the interop suites do (under `timeout`), writes the
# processes that make up the server to OUT_DIR/CASE.procs ("pid start role"
# per line) and ends with lt_finish, so lib.sh's own cleanup stops the
# server. test_harness_reap.sh then checks that none of them is left.
#
# CASE:
#   stubborn  a server that ignores SIGTERM (the ASan `lucidtls server` of
#             the IPv6 case took longer to go than lib.sh waited)
#   escape    a server with a child that moved to a process group of its
#             own and ignores SIGTERM: a group kill misses it; lib.sh must
#             notice and FAIL
#   lucidtls  `lucidtls server`, started and stopped as every suite does
#
# LT_INTEROP_LIB=/path/to/lib.sh runs the case on another lib.sh (to show
# that the old one leaves servers behind).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "${LT_INTEROP_LIB:-$HERE/lib.sh}"

CASE=$2
OUT=$3
lt_setup "$1"

# A listening server: "stubborn" ignores SIGTERM; "escape" forks a child
# that leaves the process group and ignores SIGTERM. Both give up after 60 s
# by themselves, so even a broken harness leaks them for a minute only.
PEER=$WORK/reap_peer.py
cat >"$PEER" <<'PY'
import os, signal, socket, sys, time
port, pidfile, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(8)
def note(path):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(path + ".tmp", path)
if mode == "escape":
    if os.fork() == 0:
        s.close()
        os.setpgid(0, 0)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        note(pidfile + ".escapee")
        time.sleep(60)
        os._exit(0)
else:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
note(pidfile)
time.sleep(60)
PY

# "pid start role" of a live process.
proc_line() {
    local line
    { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
    line=${line##*) }
    # shellcheck disable=SC2086
    set -- "$1" "$2" $line
    echo "$1 ${22} $2"
}

# wait_file FILE: up to 5 s.
wait_file() {
    for _ in $(seq 1 50); do
        [ -s "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

: >"$OUT/$CASE.procs"
case $CASE in
stubborn | escape)
    lt_start_server "$CASE" python3 "$PEER" @PORT@ "$OUT/$CASE.pid" "$CASE" || lt_finish
    want=("$OUT/$CASE.pid")
    [ "$CASE" = escape ] && want+=("$OUT/$CASE.pid.escapee")
    for f in "${want[@]}"; do
        if wait_file "$f"; then
            proc_line "$(cat "$f")" "$CASE${f##*.pid}" >>"$OUT/$CASE.procs"
        else
            lt_fail "the $CASE server wrote $f" "its pid" "no file after 5 s"
        fi
    done
    ;;
lucidtls)
    lt_start_lucidtls_server srv --cert "$PKI/chain.pem" --key "$PKI/server.key" || lt_finish
    tpid=$(lt_pid srv)
    proc_line "$tpid" timeout >>"$OUT/$CASE.procs"
    # The server is the child of `timeout`.
    for f in /proc/[0-9]*/stat; do
        { read -r line <"$f"; } 2>/dev/null || continue
        rest=${line##*) }
        read -r _ ppid _ <<<"$rest"
        [ "$ppid" = "$tpid" ] && proc_line "${line%% *}" "lucidtls-server" >>"$OUT/$CASE.procs"
    done
    ;;
*)
    lt_fail "a known case" "stubborn, escape or lucidtls" "'$CASE'"
    ;;
esac
if [ -s "$OUT/$CASE.procs" ]; then
    lt_pass "$CASE: the server's processes: $(awk '{ printf "%s%s (%s)", sep, $1, $3; sep = ", " }' "$OUT/$CASE.procs")"
else
    lt_fail "$CASE: found the server's processes" "at least one" "none"
fi
lt_finish
