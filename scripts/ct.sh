#!/usr/bin/env bash
# ct.sh — constant-flow check of the secret-dependent code under valgrind
# memcheck (the idea of Mbed TLS's TEST_CF_SECRET; see src/base/ct.h).
#
# Configures build-ct/ (-DLT_CONSTANT_FLOW=ON, RelWithDebInfo: the -O2 code
# we ship is what must be constant-flow; the compiler is where branches
# creep in), builds the tests/ct programs and runs each one under
# `valgrind --error-exitcode=99 -q` with tests/ct/openssl.supp:
#   - normally: must exit 0 (no memcheck report, every EXPECT passed);
#   - with LT_CT_NEGATIVE=1: must FAIL with a memcheck report, which shows
#     the secret marking reached the code under test (the program then
#     branches on purpose on a value derived from the secret);
#   - test_ct_negative_control: must fail with both a "Conditional jump"
#     and a "Use of uninitialised value" report (the machinery itself).
# Prints one line per check, then "N passed, N failed"; exits non-zero on
# any failure. Logs: build-ct/ct-logs/.
#
# Knobs: BUILD_DIR (default build-ct), JOBS (build and run parallelism,
# default nproc), VALGRIND_ARGS (extra valgrind options).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-ct}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
SUPP=$ROOT/tests/ct/openssl.supp
LOGS=$BUILD/ct-logs
START=$SECONDS

command -v valgrind >/dev/null || { echo "ct.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }

mkdir -p "$LOGS"
if ! cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLT_CONSTANT_FLOW=ON >"$LOGS/configure.log" 2>&1; then
    cat "$LOGS/configure.log" >&2
    echo "ct.sh: configure failed"; echo "0 passed, 1 failed"; exit 1
fi
if ! cmake --build "$BUILD" -j "$JOBS" --target ct_tests >"$LOGS/build.log" 2>&1; then
    tail -40 "$LOGS/build.log" >&2
    echo "ct.sh: build failed"; echo "0 passed, 1 failed"; exit 1
fi
# shellcheck disable=SC2206
VG=(valgrind --error-exitcode=99 -q --suppressions="$SUPP" ${VALGRIND_ARGS:-})

# Jobs: "NAME MODE" with MODE pass (must be clean), negative (LT_CT_NEGATIVE=1,
# must report) or control (the negative control program).
JOBLIST=()
for prog in "$BUILD"/ct/test_ct_*; do
    [ -x "$prog" ] || continue
    name=$(basename "$prog")
    if [ "$name" = test_ct_negative_control ]; then
        JOBLIST+=("$name control")
    else
        JOBLIST+=("$name pass" "$name negative")
    fi
done
[ ${#JOBLIST[@]} -gt 0 ] || { echo "ct.sh: no programs in $BUILD/ct" >&2; exit 2; }

run_job() {
    local name=$1 mode=$2 log=$LOGS/$1.$2.log rc t0=$SECONDS
    if [ "$mode" = negative ]; then
        (cd "$BUILD/ct" && LT_CT_NEGATIVE=1 "${VG[@]}" "./$name") >"$log" 2>&1
    else
        (cd "$BUILD/ct" && "${VG[@]}" "./$name") >"$log" 2>&1
    fi
    rc=$?
    echo "$rc $((SECONDS - t0))" >"$log.rc"
}

running=0
for job in "${JOBLIST[@]}"; do
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
    # shellcheck disable=SC2086
    run_job $job &
    running=$((running + 1))
done
wait

PASSED=0
FAILED=0
COND='Conditional jump or move depends on uninitialised value'
USE='Use of uninitialised value'
for job in "${JOBLIST[@]}"; do
    read -r name mode <<<"$job"
    log=$LOGS/$name.$mode.log
    read -r rc secs <"$log.rc" 2>/dev/null || { rc=255; secs=0; }
    ok=0
    case $mode in
    pass)
        [ "$rc" = 0 ] && ok=1
        why="exit $rc (99: memcheck reported a secret-dependent branch or index)" ;;
    negative)
        # Must fail through memcheck, not through a failed EXPECT.
        [ "$rc" = 99 ] && grep -q "$COND" "$log" && ok=1
        why="exit $rc: the deliberate branch on a secret was NOT reported, so the marking does not reach the code under test" ;;
    control)
        [ "$rc" = 99 ] && grep -q "$COND" "$log" && grep -q "$USE" "$log" && ok=1
        why="exit $rc: memcheck did not report the negative control's secret branch and index: the constant-flow machinery is broken" ;;
    esac
    if [ "$ok" = 1 ]; then
        PASSED=$((PASSED + 1))
        echo "pass $name ($mode, ${secs}s)"
    else
        FAILED=$((FAILED + 1))
        echo "fail $name ($mode, ${secs}s): $why"
        grep -E '^==[0-9]+==|FAIL' "$log" | head -120 | sed 's/^/    /'
    fi
done
echo "ct: $((SECONDS - START))s wall, logs in $LOGS"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
