#!/usr/bin/env bash
# check_strays.sh DIR... — is a `lucidtls server` or `lucidtls client` from
# one of these build directories still running? scripts/test.sh runs it after
# the suites: every test stops what it started, so anything found is a leak
# (a FAIL), and it is stopped here (SIGTERM, SIGKILL 2 s later).
#
# A process counts when its argv[0] or its executable (/proc/PID/exe) is
# DIR/lucidtls and argv[1] is "server" or "client". Other builds (another
# worktree, another build directory) are not looked at; neither are zombies.
#
# Prints one line per stray, or "no stray lucidtls processes"; exits 1 when
# there was one.
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR..." >&2; exit 2; }

bins=()
for d in "$@"; do
    [ -d "$d" ] || continue
    bins+=("$(cd "$d" && pwd)/lucidtls")
done

strays=()
for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = "$$" ] && continue
    { read -r stat <"$p/stat"; } 2>/dev/null || continue
    state=${stat##*) }
    [ "${state%% *}" = Z ] && continue
    # shellcheck disable=SC2086
    set -- $state
    start=${20}
    mapfile -d '' -t argv <"$p/cmdline" 2>/dev/null || continue
    [ ${#argv[@]} -ge 2 ] || continue
    case ${argv[1]} in server | client) ;; *) continue ;; esac
    exe=$(readlink "$p/exe" 2>/dev/null)
    exe=${exe% (deleted)}
    for b in "${bins[@]}"; do
        if [ "${argv[0]}" = "$b" ] || [ "$exe" = "$b" ]; then
            strays+=("$pid:$start")
            echo "stray: pid $pid: ${argv[*]}"
            break
        fi
    done
done

if [ ${#strays[@]} -eq 0 ]; then
    echo "no stray lucidtls processes"
    exit 0
fi
# live PID:START...: those still alive and still the same process.
live() {
    local e stat st
    for e in "$@"; do
        { read -r stat <"/proc/${e%%:*}/stat"; } 2>/dev/null || continue
        st=${stat##*) }
        # shellcheck disable=SC2086
        set -- $st
        [ "$1" != Z ] && [ "${20}" = "${e#*:}" ] && echo "${e%%:*}"
    done
    return 0
}
mapfile -t left < <(live "${strays[@]}")
[ ${#left[@]} -gt 0 ] && kill -TERM "${left[@]}" 2>/dev/null
for _ in $(seq 1 20); do
    mapfile -t left < <(live "${strays[@]}")
    [ ${#left[@]} -eq 0 ] && break
    sleep 0.1
done
mapfile -t left < <(live "${strays[@]}")
[ ${#left[@]} -gt 0 ] && kill -KILL "${left[@]}" 2>/dev/null
echo "${#strays[@]} stray lucidtls process(es) stopped"
exit 1
