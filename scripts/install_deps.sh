#!/usr/bin/env bash
# install_deps.sh — install what lucidtls needs to build and test, on Debian 12.
#
# Checks each package with dpkg -s first; runs apt-get update and install only
# when something is missing. Uses sudo when not root. Safe to run repeatedly.
set -euo pipefail

PACKAGES=(build-essential cmake pkg-config libssl-dev openssl curl gnutls-bin python3 clang clang-format libclang-rt-14-dev valgrind netcat-openbsd)

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
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
