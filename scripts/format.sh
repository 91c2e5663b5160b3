#!/usr/bin/env bash
# format.sh [--check] — one clang-format style for every C file in the tree
# (.clang-format at the top). --check changes nothing and fails, listing the
# files, when any file is not formatted.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
command -v clang-format >/dev/null || { echo "format.sh: clang-format not found (apt-get install clang-format)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.c' '*.h')
if [ "${1:-}" = --check ]; then
    bad=()
    for f in "${files[@]}"; do
        clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
    done
    if [ ${#bad[@]} -gt 0 ]; then
        printf 'format.sh: not formatted: %s\n' "${bad[@]}" >&2
        echo "format.sh: run scripts/format.sh to fix" >&2
        exit 1
    fi
    echo "format.sh: ${#files[@]} files formatted"
    exit 0
fi
clang-format -i "${files[@]}"
