#!/usr/bin/env bash
# demo.sh — install the build dependencies (`install_deps.sh --build`: a
# compiler, CMake and OpenSSL's headers; not the test toolchain), build into
# build/, and run the narrated handshake demo (`build/lucidtls demo`). Extra
# arguments go to the demo.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if [ "${LT_SKIP_DEPS:-0}" != 1 ]; then
    "$ROOT/scripts/install_deps.sh" --build
fi
JOBS=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build
cmake --build build -j "$JOBS"
if [ ! -x build/lucidtls ]; then
    echo "demo: build/lucidtls was not built (is tools/ there yet?)" >&2
    exit 1
fi
echo
exec build/lucidtls demo "$@"
