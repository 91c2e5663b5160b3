#!/usr/bin/env bash
# test.sh — build and run the whole test suite, twice:
#   1. build/       plain build (-Werror, the CMake default), ctest
#   2. build-asan/  -DLT_SANITIZE=ON (ASan + UBSan), ctest
# ctest covers the unit tests, the in-memory handshake tests and the loopback
# interop tests (tests/interop, run against each build's own CLI). Also checks
# that every examples/*.c compiled.
#
# The last line is "N passed, N failed": ctest tests of both runs, plus one
# entry per build step and per example. Exits non-zero on any failure.
#
# Then valgrind memcheck (scripts/valgrind.sh), the constant-flow check
# (scripts/ct.sh), and, side by side, a short fuzz run of every target
# (fuzz/smoke.sh) and the mutation check of the security checks
# (scripts/mutants.sh, in the plain build). Every part's time is in the
# summary. The test programs' RSA keys are made once per run, in
# build-keys/ (LT_TEST_KEY_CACHE), and shared by all parts.
# Last, scripts/check_strays.sh: a `lucidtls server` or `lucidtls client` of
# either build still running after all that was leaked by a test; it is
# stopped and counted as a failure. (So do not run tests of these build
# directories by hand meanwhile.)
#
# Knobs: LT_SKIP_DEPS=1 (do not run install_deps.sh), LT_SKIP_ASAN=1,
# LT_SKIP_VALGRIND=1, LT_SKIP_FUZZ=1, LT_FUZZ_SECONDS (default 15),
# LT_SKIP_MUTANTS=1 (skip scripts/mutants.sh),
# LT_BUILD_DIR / LT_ASAN_BUILD_DIR (default build, build-asan),
# JOBS (parallelism, default nproc), CTEST_ARGS (extra ctest arguments,
# e.g. "-R interop").
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

if [ "${LT_SKIP_DEPS:-0}" != 1 ]; then
    "$ROOT/scripts/install_deps.sh" || { echo "test: install_deps.sh failed" >&2; exit 1; }
fi

JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
DEPS_SECONDS=$SECONDS
# The test programs' RSA keys (src/crypto/util.c lt_rsa_keygen, test builds
# only) are generated once, by the first test that needs each, and then read
# back by every later run: plain, ASan, valgrind and the mutants. Generating
# RSA keys under valgrind was most of its time.
export LT_TEST_KEY_CACHE=${LT_TEST_KEY_CACHE:-$ROOT/build-keys}
mkdir -p "$LT_TEST_KEY_CACHE"
PASSED=0
FAILED=0
SUMMARY=()

note() {
    # note pass|fail TEXT
    if [ "$1" = pass ]; then
        PASSED=$((PASSED + 1))
    else
        FAILED=$((FAILED + 1))
    fi
    SUMMARY+=("$1: $2")
}

# run_suite NAME BUILD_DIR [CMAKE_ARGS...]
run_suite() {
    local name=$1 dir=$2
    shift 2
    echo
    echo "==== $name: configure + build in $dir/"
    local t0=$SECONDS
    if ! cmake -S . -B "$dir" "$@"; then
        note fail "$name: cmake configure"
        return
    fi
    if ! cmake --build "$dir" -j "$JOBS"; then
        note fail "$name: build"
        return
    fi
    note pass "$name: build ($((SECONDS - t0)) s)"

    echo
    echo "==== $name: ctest in $dir/"
    t0=$SECONDS
    local log=$dir/ctest-summary.log
    # shellcheck disable=SC2086
    (cd "$dir" && ctest --output-on-failure -j "$JOBS" ${CTEST_ARGS:-}) 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    local line total nfail
    line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
    if [ -n "$line" ]; then
        nfail=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
        total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
        PASSED=$((PASSED + total - nfail))
        FAILED=$((FAILED + nfail))
        SUMMARY+=("$name: ctest: $((total - nfail)) passed, $nfail failed ($((SECONDS - t0)) s)")
        [ "$rc" != 0 ] && [ "$nfail" = 0 ] && note fail "$name: ctest exited $rc"
    elif grep -q 'No tests were found' "$log"; then
        note fail "$name: ctest found no tests"
    else
        note fail "$name: ctest exited $rc without a summary"
    fi
}

BUILD_DIR=${LT_BUILD_DIR:-build}
ASAN_BUILD_DIR=${LT_ASAN_BUILD_DIR:-build-asan}

run_suite plain "$BUILD_DIR"

# Examples must compile (CMake builds examples/*.c as example_<name>).
shopt -s nullglob
examples=(examples/*.c)
if [ ${#examples[@]} -eq 0 ]; then
    SUMMARY+=("examples: none yet")
fi
for ex in "${examples[@]}"; do
    exe=$BUILD_DIR/example_$(basename "$ex" .c)
    if [ -x "$exe" ]; then
        note pass "example $ex compiled ($exe)"
    else
        note fail "example $ex did not compile (no $exe)"
    fi
done

if [ "${LT_SKIP_ASAN:-0}" != 1 ]; then
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
        UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        run_suite asan "$ASAN_BUILD_DIR" -DLT_SANITIZE=ON
fi

# run_step NAME COMMAND...: a check script that prints its own
# "N passed, N failed" line; counted as one step here.
run_step() {
    local name=$1
    shift
    echo
    echo "==== $name: $*"
    local t0=$SECONDS rc=0
    "$@" || rc=$?
    if [ "$rc" = 0 ]; then
        note pass "$name ($((SECONDS - t0)) s)"
    else
        note fail "$name (exit $rc, $((SECONDS - t0)) s)"
    fi
}

run_step "clang-format" "$ROOT/scripts/format.sh" --check

# Memory and side-channel checks (issue 3): valgrind memcheck over the unit
# and in-memory tests, the constant-flow check of the secret-dependent code,
# and a short run of every fuzz target from its checked-in corpus.
if [ "${LT_SKIP_VALGRIND:-0}" != 1 ]; then
    run_step "valgrind memcheck" "$ROOT/scripts/valgrind.sh" "$ROOT/build-vg"
    run_step "constant-flow (valgrind)" "$ROOT/scripts/ct.sh"
fi
# The fuzz smoke run and the mutation check side by side: each keeps about
# one core busy (one libFuzzer process at a time; one incremental rebuild and
# one test at a time), so together they fill the machine. The fuzz run's
# output is held back and printed after the mutants'.
FUZZ_PID=
FUZZ_LOG=$ROOT/build-fuzz/smoke-run.log
if [ "${LT_SKIP_FUZZ:-0}" != 1 ]; then
    FUZZ_START=$SECONDS
    mkdir -p "$ROOT/build-fuzz"
    JOBS=1 "$ROOT/fuzz/smoke.sh" "${LT_FUZZ_SECONDS:-15}" >"$FUZZ_LOG" 2>&1 &
    FUZZ_PID=$!
fi
# Every security check must be noticed by some test when it is sabotaged
# (scripts/mutants.py has the list). After the rest: it rebuilds per mutant.
# It works in the plain build and build-ct/ (scripts/ct.sh's), rebuilding
# only what each mutant touches, and leaves them matching the tree.
if [ "${LT_SKIP_MUTANTS:-0}" != 1 ]; then
    case $BUILD_DIR in /*) mutants_build=$BUILD_DIR ;; *) mutants_build=$ROOT/$BUILD_DIR ;; esac
    run_step "mutants" "$ROOT/scripts/mutants.sh" --build "$mutants_build"
fi
if [ -n "$FUZZ_PID" ]; then
    echo
    echo "==== fuzz smoke: $ROOT/fuzz/smoke.sh ${LT_FUZZ_SECONDS:-15} (ran beside the mutants)"
    rc=0
    wait "$FUZZ_PID" || rc=$?
    cat "$FUZZ_LOG"
    if [ "$rc" = 0 ]; then
        note pass "fuzz smoke ($((SECONDS - FUZZ_START)) s, beside the mutants)"
    else
        note fail "fuzz smoke (exit $rc)"
    fi
fi

# Every test stops what it started (tests/interop/lib.sh, scripts/procs.sh):
# anything of ours still running now is a leak.
run_step "no stray lucidtls processes" "$ROOT/scripts/check_strays.sh" "$BUILD_DIR" "$ASAN_BUILD_DIR"

echo
echo "==== summary"
for s in "${SUMMARY[@]}"; do
    echo "  $s"
done
echo "  installing packages: $DEPS_SECONDS s; total: $SECONDS s"
printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
