#!/usr/bin/env bash
# install_deps.sh — install what lucidtls needs to build and test, on Debian 12.
#
# usage: install_deps.sh [--build | --test | --all]
#   --build  only what building needs (a C compiler, CMake, OpenSSL 3's
#            headers): enough for `lucidtls demo` (scripts/demo.sh)
#   --test   only the test toolchain and peers (without the build set)
#   --all    both (the default; scripts/test.sh runs this)
#
# Checks each package with dpkg -s first; runs apt-get update and install only
# when something is missing. Uses sudo when not root. Safe to run repeatedly.
set -euo pipefail

BUILD_PACKAGES=(build-essential cmake pkg-config libssl-dev)
# openssl, curl, gnutls-bin, python3, nodejs, nginx: interop peers and test
# tools. clang, libclang-rt-14-dev (the sanitizers and fuzzers), valgrind and
# clang-format are the checks scripts/test.sh runs.
# nodejs and nginx are interop peers (tests/interop/test_node.sh, test_nginx.sh):
# the tests run them in the foreground with their own configuration; the
# system nginx service is never started (see below).
# chromium (headless) and libnss3-tools (certutil, for its NSS trust store) are
# the browser peer of tests/interop/test_chromium.sh. tshark decrypts our
# captured traffic with our key log (tests/interop/test_tshark.sh).
TEST_PACKAGES=(openssl curl gnutls-bin python3 clang clang-format libclang-rt-14-dev valgrind netcat-openbsd
    nodejs nginx chromium libnss3-tools tshark)

case "${1:---all}" in
--build) PACKAGES=("${BUILD_PACKAGES[@]}") ;;
--test) PACKAGES=("${TEST_PACKAGES[@]}") ;;
--all) PACKAGES=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}") ;;
-h | --help)
    sed -n '2,9s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
*)
    echo "install_deps: unknown option '$1' (--build, --test or --all)" >&2
    exit 2
    ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg -s "$p" >/dev/null 2>&1 || ! dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install_deps: all dependencies present"
    exit 0
fi

SUDO=()
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "install_deps: missing ${missing[*]}, and not root and no sudo to install them" >&2
        exit 1
    fi
fi

echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Debian's nginx package starts the system service (port 80, as root) from
# its postinst unless a policy-rc.d says no. The tests want none of that: when
# the machine has no policy-rc.d, one that refuses every service start is put
# in place for the install and removed afterwards.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
    # shellcheck disable=SC2016
    "${SUDO[@]}" sh -c 'printf "#!/bin/sh\n# install_deps.sh: no service starts during the install\nexit 101\n" >"$1" && chmod 755 "$1"' \
        sh "$POLICY"
    trap '"${SUDO[@]}" rm -f "$POLICY"' EXIT
fi
# tshark (tests/interop/test_tshark.sh) asks whether non-root users may
# capture: no (the tests capture as root).
echo 'wireshark-common wireshark-common/install-setuid boolean false' | "${SUDO[@]}" debconf-set-selections
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
