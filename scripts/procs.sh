# shellcheck shell=bash
# scripts/procs.sh — start test peers in their own session and process
# group, stop the whole group, and notice anything of it that outlives the
# stop. Sourced by tests/interop/lib.sh, tests/hostile/run.sh and
# tests/load/run.sh (bash 4+, Linux /proc).
#
#   setsid CMD... <in >out 2>err &
#   lt_pg_adopt $!
#       Waits (up to 2 s) until the process started with setsid leads its
#       own session, so that its process group and session id are its pid.
#       Sets LT_PG_START (its start time, which
#       tells it apart from a later process that reuses the pid; empty if it
#       is gone already). Returns 1 if it is alive but did not become a
#       session leader (job control on: setsid forked; see `set +m`).
#       Call it once the process can get past its redirections (a fifo
#       blocks it until the other end is open).
#   lt_pg_term PID START
#       SIGTERM to the process group PID, or, when PID does not lead a
#       group, to PID and every descendant of it.
#   lt_pg_reap PID START GRACE
#       Waits up to GRACE seconds (0: do not wait) for everything that
#       belongs to PID to exit, then SIGKILLs the group (or the tree), reaps
#       PID, and checks: anything of PID still alive then (a process that
#       left the group, or one that cannot be killed) is a survivor. Every
#       survivor is SIGKILLed on its own and listed in LT_PG_SURVIVORS
#       ("pid command line" per entry); returns 1 when there is one.
#
# "Belongs to PID": every live process whose process group or session is
# PID, every descendant of PID, and every process seen that way by an
# earlier call (remembered with its start time; the kernel may move an
# orphan to init, so it is no longer a descendant). Zombies are dead. If the
# pid PID now names a different process (another start time) the pid was
# reused: only the processes remembered from before are touched, never the
# new owner's group.
#
# The functions must run in the shell that started PID (not in a $(...)
# subshell): `wait` and the remembered processes live there.

declare -gA LT_PG_KNOWN=()
declare -gA LT_PG_GROUP=()
LT_PG_SURVIVORS=()
LT_PG_START=""

# lt_pg_table: one line per process: PID STATE PPID PGID SID START.
# (cat, not awk FILE...: awk stops at a file that vanished meanwhile.)
lt_pg_table() {
    cat /proc/[0-9]*/stat 2>/dev/null | awk '{ pid = $1; sub(/^.*\) /, ""); print pid, $1, $2, $3, $4, $20 }'
}

# lt_pg_start_of PID: its start time (clock ticks after boot), or nothing.
lt_pg_start_of() {
    local line
    { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
    line=${line##*) }
    # shellcheck disable=SC2086
    set -- $line
    echo "${20}"
}

# lt_pg_alive PID START: PID is alive (not a zombie) and is still the same process.
lt_pg_alive() {
    local line want=${2:-}
    { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 1
    line=${line##*) }
    # shellcheck disable=SC2086
    set -- $line
    [ "$1" != Z ] && { [ -z "$want" ] || [ "${20}" = "$want" ]; }
}

lt_pg_cmdline() {
    local c
    c=$(tr '\0\n' '  ' <"/proc/$1/cmdline" 2>/dev/null)
    echo "${c:-(pid $1)}"
}

lt_pg_adopt() {
    local pid=$1 i line
    LT_PG_START=""
    for i in $(seq 1 200); do
        { read -r line <"/proc/$pid/stat"; } 2>/dev/null || break
        line=${line##*) }
        # shellcheck disable=SC2086
        set -- $line
        [ -z "$LT_PG_START" ] && LT_PG_START=${20}
        [ "$1" = Z ] && break
        # State PPID PGID SID ...: the session is its own once setsid ran.
        if [ "$4" = "$pid" ]; then
            LT_PG_START=${20}
            LT_PG_KNOWN[$pid]="$pid:$LT_PG_START"
            LT_PG_GROUP[$pid]=1
            return 0
        fi
        [ "$i" -gt 20 ] && sleep 0.01
    done
    [ -n "$LT_PG_START" ] && LT_PG_KNOWN[$pid]="$pid:$LT_PG_START"
    # Dead already (the caller finds out why: 0), or alive in another session.
    ! lt_pg_alive "$pid" "$LT_PG_START"
}

# lt_pg_owned PID START: may we signal the group PID? Yes unless the pid now
# belongs to another process (reused); an empty START means "PID is known to
# be ours" (the caller checked).
lt_pg_owned() {
    local now
    now=$(lt_pg_start_of "$1") || return 0 # gone: its group, if any is left, is what it left behind
    [ -z "$2" ] || [ "$now" = "$2" ]
}

# lt_pg_update PID START: adds to LT_PG_KNOWN[PID] ("pid:start" ...) every
# live process that belongs to PID now, and drops the dead ones. Sets
# LT_PG_GROUP[PID] to 1 once a process group PID has been seen (or
# lt_pg_spawn made one): from then on PID is stopped as a group.
lt_pg_update() {
    local root=$1 start=$2 e
    local -A seen=()
    for e in ${LT_PG_KNOWN[$root]:-}; do
        lt_pg_alive "${e%%:*}" "${e#*:}" && seen[$e]=1
    done
    if lt_pg_owned "$root" "$start"; then
        while read -r e; do
            if [ "$e" = lead ]; then
                LT_PG_GROUP[$root]=1
            else
                seen[$e]=1
            fi
        done < <(lt_pg_table | awk -v root="$root" -v self="$$" '
            { st[$1] = $2; pp[$1] = $3; pg[$1] = $4; sd[$1] = $5; t[$1] = $6 }
            END {
                if (root in st) mine[root] = 1
                for (p in st) {
                    if (pg[p] == root || sd[p] == root) mine[p] = 1
                    if (pg[p] == root && st[p] != "Z") lead = 1
                }
                do {
                    n = 0
                    for (p in st) if (!(p in mine) && (pp[p] in mine)) { mine[p] = 1; n++ }
                } while (n)
                for (p in mine) if (st[p] != "Z" && p != self) print p ":" t[p]
                if (lead) print "lead"
            }')
    fi
    LT_PG_KNOWN[$root]="${!seen[*]}"
}

# lt_pg_live PID: the remembered members of PID that are alive, one a line.
lt_pg_live() {
    local e
    for e in ${LT_PG_KNOWN[$1]:-}; do
        lt_pg_alive "${e%%:*}" "${e#*:}" && echo "$e"
    done
    return 0
}

# lt_pg_signal SIG PID START: to the process group PID if PID was started
# as one (and the pid was not reused since), else to each remembered member.
lt_pg_signal() {
    local sig=$1 root=$2 start=$3 e
    if [ "${LT_PG_GROUP[$root]:-0}" = 1 ]; then
        lt_pg_owned "$root" "$start" && kill "-$sig" -- "-$root" 2>/dev/null
    else
        for e in $(lt_pg_live "$root"); do
            kill "-$sig" "${e%%:*}" 2>/dev/null
        done
    fi
    return 0
}

lt_pg_term() {
    lt_pg_update "$1" "$2"
    lt_pg_signal TERM "$1" "$2"
}

# lt_pg_wait_gone PID START TENTHS: until no member is alive, for at most
# TENTHS tenths of a second (1 if some still are).
lt_pg_wait_gone() {
    local i
    for i in $(seq 0 "$3"); do
        lt_pg_update "$1" "$2"
        [ -z "$(lt_pg_live "$1")" ] && return 0
        [ "$i" -lt "$3" ] && sleep 0.1
    done
    return 1
}

lt_pg_reap() {
    local root=$1 start=$2 grace=${3:-3} e
    LT_PG_SURVIVORS=()
    if lt_pg_wait_gone "$root" "$start" $((grace * 10)); then
        wait "$root" 2>/dev/null
    else
        lt_pg_signal KILL "$root" "$start"
        # Reap it (if it is still our child), then let the kernel finish.
        wait "$root" 2>/dev/null
        if ! lt_pg_wait_gone "$root" "$start" 20; then
            # Alive after the group was killed: it left the group (or
            # cannot die). Kill it on its own, and tell the caller.
            for e in $(lt_pg_live "$root"); do
                LT_PG_SURVIVORS+=("${e%%:*} $(lt_pg_cmdline "${e%%:*}")")
                kill -KILL "${e%%:*}" 2>/dev/null
            done
            lt_pg_wait_gone "$root" "$start" 20
        fi
    fi
    unset "LT_PG_KNOWN[$root]" "LT_PG_GROUP[$root]"
    [ ${#LT_PG_SURVIVORS[@]} -eq 0 ]
}
