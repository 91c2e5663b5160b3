#!/usr/bin/env bash
# tests/abi/check_exports.sh — the shipped library exports the public API,
# all of it and nothing else, and carries no test hooks.
#
#   check_exports.sh --cc CC --include DIR --shared LIB.so --static LIB.a
#                    [--testlib LIBTEST.a] [--allow FILE]
#
# The public API is every function declared in DIR/lucidtls/*.h: the headers
# are run through the C preprocessor (so comments, macros and #ifdef
# __cplusplus do not matter) and every identifier lt_* directly followed by
# "(" in the text that comes from those headers is a declaration. (A pointer
# typedef such as `typedef void (*lt_trace_fn)(...)` has ")" after its name.)
#
# Checks, one PASS/FAIL line each, then "N passed, N failed":
#   1. LIB.so's dynamic symbol table (nm -D --defined-only) holds every
#      public function, and nothing that is not one;
#   2. no lt_test_* symbol, defined or referenced, in LIB.so or LIB.a;
#   3. in LIB.a every global symbol that is not public has hidden
#      visibility (readelf -s), so a program or a shared object linked from
#      the archive does not re-export the internals;
#   4. (--testlib) the test build of the objects does define lt_test_set_rng:
#      the hooks exist, the tests get them, and check 2 looks for the right
#      name.
# FILE (--allow) lists documented exceptions, one symbol a line, "#"
# comments: an exported symbol that no header declares, or a declared one
# that is not exported. Exits non-zero on any failure.
set -uo pipefail

CC=cc INC="" SO="" AR_LIB="" TESTLIB="" ALLOW=""
while [ $# -gt 0 ]; do
    case $1 in
    --cc) CC=$2 ;;
    --include) INC=$2 ;;
    --shared) SO=$2 ;;
    --static) AR_LIB=$2 ;;
    --testlib) TESTLIB=$2 ;;
    --allow) ALLOW=$2 ;;
    *) echo "usage: $0 --cc CC --include DIR --shared LIB.so --static LIB.a [--testlib LIB.a] [--allow FILE]" >&2; exit 2 ;;
    esac
    shift 2
done
for f in "$SO" "$AR_LIB"; do
    [ -f "$f" ] || { echo "check_exports: no such library: '$f'" >&2; echo "0 passed, 1 failed"; exit 1; }
done
[ -d "$INC/lucidtls" ] || { echo "check_exports: no $INC/lucidtls" >&2; echo "0 passed, 1 failed"; exit 1; }
for tool in nm readelf; do
    command -v "$tool" >/dev/null || { echo "check_exports: $tool not found (binutils)" >&2; exit 2; }
done
INC=$(cd "$INC" && pwd)

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS: $1"; }
fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL: $1"
    shift
    local l
    for l in "$@"; do echo "    $l"; done
}
# show LIST: at most 40 names of a newline-separated list, then "... N more".
show() {
    local n
    n=$(grep -c . <<<"$1")
    head -n 40 <<<"$1" | sed 's/^/    /'
    [ "$n" -gt 40 ] && echo "    ... $((n - 40)) more"
    return 0
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lt-abi.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# ---- the public API, from the headers
for h in "$INC"/lucidtls/*.h; do
    printf '#include "lucidtls/%s"\n' "$(basename "$h")"
done >"$TMP/all.c"
if ! "$CC" -E -I"$INC" "$TMP/all.c" >"$TMP/all.i" 2>"$TMP/cpp.err"; then
    fail "the public headers preprocess ($CC -E)" "$(head -n 5 "$TMP/cpp.err")"
    echo "$PASSED passed, $FAILED failed"
    exit 1
fi
# Keep what the preprocessor took from DIR/lucidtls/ (line markers: # N "file" ...).
awk -v dir="$INC/lucidtls/" '
    /^# [0-9]+ "/ { f = $3; gsub(/"/, "", f); ours = (index(f, dir) == 1); next }
    ours { print }' "$TMP/all.i" | tr '\n' ' ' |
    grep -oE '\blt_[A-Za-z0-9_]*[[:space:]]*\(' | sed -E 's/[[:space:]]*\($//' | sort -u >"$TMP/public"
NPUB=$(grep -c . "$TMP/public")
: >"$TMP/allow"
if [ -n "$ALLOW" ]; then
    sed -e 's/#.*//' -e 's/[[:space:]]//g' "$ALLOW" | grep . | sort -u >"$TMP/allow"
fi

if [ "$NPUB" -gt 0 ]; then
    pass "$NPUB public functions declared in $INC/lucidtls/*.h"
else
    fail "the public headers declare functions" "none found: the parse is broken"
fi

# ---- 1. the shared library exports exactly the public API
nm -D --defined-only "$SO" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' | sort -u >"$TMP/exported"
NEXP=$(grep -c . "$TMP/exported")
extra=$(comm -23 "$TMP/exported" "$TMP/public" | comm -23 - "$TMP/allow")
missing=$(comm -13 "$TMP/exported" "$TMP/public" | comm -23 - "$TMP/allow")
if [ -z "$extra" ]; then
    pass "$(basename "$SO") exports nothing beyond the public API ($NEXP symbols)"
else
    fail "$(basename "$SO") exports $(grep -c . <<<"$extra") of its $NEXP symbols that no public header declares:"
    show "$extra"
fi
if [ -z "$missing" ] && [ "$NPUB" -gt 0 ]; then
    pass "$(basename "$SO") exports every public function"
else
    fail "$(basename "$SO") is missing $(grep -c . <<<"$missing") public function(s) (hidden, or never defined):"
    show "$missing"
fi

# ---- 2. no test hooks in the shipped libraries
for lib in "$SO" "$AR_LIB"; do
    hooks=$(nm -A "$lib" 2>/dev/null | grep -E '[[:space:]]lt_test_[A-Za-z0-9_]*$' | sed 's/^/    /')
    if [ -z "$hooks" ]; then
        pass "no lt_test_* symbol in $(basename "$lib")"
    else
        fail "$(basename "$lib") carries test hooks:"
        echo "$hooks" | head -n 20
    fi
done

# ---- 3. the archive's internals are hidden
readelf -sW "$AR_LIB" | awk '
    ($5 == "GLOBAL" || $5 == "WEAK") && $7 != "UND" && $6 != "HIDDEN" && $8 != "" { print $8 }' |
    sed 's/@.*//' | sort -u >"$TMP/ar_visible"
leak=$(comm -23 "$TMP/ar_visible" "$TMP/public" | comm -23 - "$TMP/allow")
if [ ! -s "$TMP/ar_visible" ]; then
    fail "$(basename "$AR_LIB") has default-visibility symbols (readelf -s)" "none at all: the public API is not there either"
elif [ -z "$leak" ]; then
    pass "$(basename "$AR_LIB"): every non-public global symbol has hidden visibility"
else
    fail "$(basename "$AR_LIB") has $(grep -c . <<<"$leak") non-public symbol(s) with default visibility:"
    show "$leak"
fi

# ---- 4. the test build has the hooks
if [ -n "$TESTLIB" ]; then
    # (Not `nm | grep -q`: with pipefail, nm's SIGPIPE would fail the test.)
    nm --defined-only "$TESTLIB" >"$TMP/testlib" 2>/dev/null
    if grep -qE '[[:space:]]T lt_test_set_rng$' "$TMP/testlib"; then
        pass "the test library $(basename "$TESTLIB") defines lt_test_set_rng"
    else
        fail "the test library $(basename "$TESTLIB") defines lt_test_set_rng" "not found: tests that need the hooks cannot link"
    fi
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
