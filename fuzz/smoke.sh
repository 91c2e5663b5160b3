#!/usr/bin/env bash
# Fuzz smoke test for CI: builds every libFuzzer target into build-fuzz/ and
# runs each for SECONDS (default 15) from its checked-in seeds. Exits non-zero
# if a target crashes, trips a sanitizer, leaks, times out or fails to build.
#
#   fuzz/smoke.sh [SECONDS]
#
# Needs clang with libFuzzer, cmake and the OpenSSL 3 headers (Debian 12:
# clang libclang-rt-14-dev cmake libssl-dev). Set CC to pick another clang.
#
# The checked-in corpora are never written to: each run works on a temporary
# copy, and crash inputs are kept in build-fuzz/smoke-artifacts/.
set -euo pipefail

SECONDS_PER_TARGET="${1:-15}"
if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [ "$SECONDS_PER_TARGET" -lt 1 ]; then
    echo "usage: $0 [SECONDS]   (a positive whole number of seconds per target)" >&2
    exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build-fuzz"
ARTIFACTS="$BUILD/smoke-artifacts"
export CC="${CC:-clang}"

echo "== building fuzz targets in $BUILD (CC=$CC)"
cmake -S "$ROOT/fuzz" -B "$BUILD" >/dev/null
cmake --build "$BUILD" -j "$(nproc 2>/dev/null || echo 2)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lucidtls-fuzz-smoke.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ARTIFACTS"

# target  max_len: the largest input the mutator may make (a record seed
# holds one full 2^14-byte record).
TARGETS=(
    "messages 4096"
    "record 20000"
    "server 8192"
    "client 8192"
    "tickets 4096"
    "www_request 4096"
)

# run_target NAME MAX_LEN: one target for SECONDS_PER_TARGET from a copy of
# its seeds; the verdict goes to $WORK/NAME.rc, the report to $WORK/NAME.out.
run_target() {
    local name=$1 max_len=$2
    local bin="$BUILD/fuzz_$name" seeds="$ROOT/fuzz/corpus/$name" corpus="$WORK/corpus-$name"
    local log="$WORK/$name.log" out="$WORK/$name.out"
    mkdir -p "$corpus"
    cp "$seeds"/* "$corpus"/
    echo "== fuzz_$name: ${SECONDS_PER_TARGET}s from $(ls "$corpus" | wc -l) seeds" >"$out"
    # -artifact_prefix keeps crash files out of the current directory;
    # -timeout flags a single input that runs for 10 s as a hang.
    if "$bin" "$corpus" -max_total_time="$SECONDS_PER_TARGET" -max_len="$max_len" -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="$ARTIFACTS/$name-" -print_final_stats=1 >"$log" 2>&1; then
        {
            grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec)' "$log" | tr '\n' ' ' || true
            grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1 || true
        } >>"$out"
        echo 0 >"$WORK/$name.rc"
    else
        {
            echo "!! fuzz_$name FAILED; last lines of its log:"
            tail -n 60 "$log"
            ls -1 "$ARTIFACTS"/"$name"-* 2>/dev/null | sed 's/^/!! artifact: /' || true
        } >>"$out"
        echo 1 >"$WORK/$name.rc"
    fi
}

# The targets are independent: as many at once as there are cores (each
# libFuzzer run is one process on one core).
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
running=0
for entry in "${TARGETS[@]}"; do
    read -r name max_len <<<"$entry"
    if [ "$running" -ge "$JOBS" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    run_target "$name" "$max_len" &
    running=$((running + 1))
done
wait

failed=()
for entry in "${TARGETS[@]}"; do
    read -r name _ <<<"$entry"
    cat "$WORK/$name.out"
    [ "$(cat "$WORK/$name.rc" 2>/dev/null)" = 0 ] || failed+=("$name")
done

if [ "${#failed[@]}" -ne 0 ]; then
    echo "== FAILED: ${failed[*]} (reproduce: $BUILD/fuzz_<target> <artifact>)"
    exit 1
fi
echo "== all fuzz targets ran ${SECONDS_PER_TARGET}s without a finding"
