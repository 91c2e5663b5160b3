#!/usr/bin/env bash
# valgrind.sh [BUILD_DIR] — run every unit and in-memory test program
# (BUILD_DIR/tests/test_*) under valgrind memcheck: any memory error or any
# definite/indirect leak fails the test.
#
# BUILD_DIR defaults to build-vg. If it holds no test programs yet it is
# configured (Debug: -O0 -g, so reports point at source lines) and built.
# Interop tests are shell scripts that drive the CLI against openssl; they
# are not run here.
#
# Prints one line per test ("pass|fail NAME (Ns)"), then "N passed, N failed";
# exits non-zero on any failure. The valgrind output of a failed test is
# printed after its line; every log stays in BUILD_DIR/valgrind/NAME.log.
#
# Knobs: JOBS (tests run in parallel, default nproc), VALGRIND_ARGS (extra
# valgrind options, e.g. "--track-origins=yes" to chase an error).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build-vg}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not found (apt-get install valgrind)" >&2; exit 2; }

list_tests() {
    local f
    for f in "$BUILD"/tests/test_*; do
        [ -f "$f" ] && [ -x "$f" ] && case $f in *.sh) ;; *) echo "$f" ;; esac
    done
}

if [ -z "$(list_tests)" ]; then
    echo "valgrind.sh: building $BUILD"
    cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
        cmake --build "$BUILD" -j "$JOBS" >/dev/null ||
        { echo "valgrind.sh: build failed" >&2; exit 2; }
fi
LOGS=$BUILD/valgrind
mkdir -p "$LOGS"
# Slowest first (by the last run's time, kept in LOGS): the RSA-heavy
# programs then overlap instead of running last, one at a time.
mapfile -t TESTS < <(list_tests | while read -r t; do
    secs=0
    [ -f "$LOGS/$(basename "$t").rc" ] && read -r _ secs <"$LOGS/$(basename "$t").rc"
    echo "${secs:-0} $t"
done | sort -k1,1nr -k2 | cut -d' ' -f2-)
[ ${#TESTS[@]} -gt 0 ] || { echo "valgrind.sh: no test programs in $BUILD/tests" >&2; exit 2; }
# --errors-for-leak-kinds: "still reachable" (libcrypto's per-process
# tables, our tests' shared demo PKI) is not a leak; definite and indirect
# ones are. --error-exitcode separates valgrind findings (99) from a failing
# test (1).
VG=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --track-origins=no -q)
# shellcheck disable=SC2206
VG+=(${VALGRIND_ARGS:-})
# RSA key generation under valgrind is most of a test's time: the test build
# takes its keys from a cache made here by the first test that needs them
# (lt_rsa_keygen in src/crypto/util.c; nothing is checked in).
export LT_TEST_KEY_CACHE=${LT_TEST_KEY_CACHE:-$BUILD/test-keys}
mkdir -p "$LT_TEST_KEY_CACHE"

run_one() {
    local t=$1 name start rc
    name=$(basename "$t")
    start=$SECONDS
    (cd "$BUILD/tests" && "${VG[@]}" "$t") >"$LOGS/$name.log" 2>&1
    rc=$?
    echo "$rc $((SECONDS - start))" >"$LOGS/$name.rc"
}

START=$SECONDS
running=0
for t in "${TESTS[@]}"; do
    if [ "$running" -ge "$JOBS" ]; then
        wait -n
        running=$((running - 1))
    fi
    run_one "$t" &
    running=$((running + 1))
done
wait

PASSED=0
FAILED=0
for t in "${TESTS[@]}"; do
    name=$(basename "$t")
    read -r rc secs <"$LOGS/$name.rc" 2>/dev/null || { rc=255; secs=0; }
    if [ "$rc" = 0 ]; then
        PASSED=$((PASSED + 1))
        echo "pass $name (${secs}s)"
    else
        FAILED=$((FAILED + 1))
        case $rc in
        99) why="valgrind reported errors or leaks" ;;
        *) why="exit status $rc" ;;
        esac
        echo "fail $name (${secs}s): $why"
        # The memcheck reports (lines "==pid==") and the test's own failures.
        grep -E '^==[0-9]+==|FAIL' "$LOGS/$name.log" | head -200 | sed 's/^/    /'
    fi
done
echo "valgrind: $((SECONDS - START))s wall, logs in $LOGS"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
