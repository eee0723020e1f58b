#!/bin/sh
# Installs what the kit needs when it is missing, or says exactly how to.
# Debian/Ubuntu: apt-get (as root, or through sudo when it needs no password).
# macOS: prints the Homebrew command. Nothing is installed that is present.
set -u

DEB_PACKAGES="build-essential pkg-config libuv1-dev libcmocka-dev libssl-dev zlib1g-dev \
pandoc erlang-base erlang-dev valgrind clang libclang-rt-14-dev chromium bubblewrap zip libedit-dev tmux elixir epubcheck"

missing_debian() {
    for p in $DEB_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || printf '%s ' "$p"
    done
}

if [ "$(uname -s)" = Darwin ]; then
    for tool in pkg-config pandoc erl; do
        command -v "$tool" >/dev/null 2>&1 || need=1
    done
    pkg-config --exists libuv cmocka 2>/dev/null || need=1
    if [ "${need:-0}" = 1 ]; then
        echo "Some of the kit's tools are missing. Install them with Homebrew:"
        echo "  brew install pkg-config libuv cmocka openssl@3 pandoc erlang libedit tmux elixir"
        exit 1
    fi
    exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "tapa: this is not a Debian/Ubuntu system; install libuv, cmocka, OpenSSL (libcrypto),"
    echo "zlib, pandoc and Erlang with your package manager, then run make again."
    exit 0
fi

missing=$(missing_debian)
[ -z "$missing" ] && exit 0

echo "tapa: installing what is missing: $missing"
if [ "$(id -u)" = 0 ]; then
    apt-get install -y $missing >/dev/null || { apt-get update >/dev/null && apt-get install -y $missing; }
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get install -y $missing >/dev/null || { sudo apt-get update >/dev/null && sudo apt-get install -y $missing; }
else
    echo "tapa: cannot install packages without root. Run this, then make again:"
    echo "  sudo apt-get install -y $missing"
    exit 1
fi
missing=$(missing_debian)
if [ -n "$missing" ]; then
    echo "tapa: these are still missing: $missing"
    echo "  sudo apt-get update && sudo apt-get install -y $missing"
    exit 1
fi
