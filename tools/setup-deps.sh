#!/bin/sh
# setup-deps.sh — installs what the kit needs when it is missing, or says
# exactly how to; never stops the build for a part that is not needed.
#
#   Debian/Ubuntu: apt-get, as root or through sudo when it needs no password.
#   Without either: prints the one apt-get line, then lets make build all it
#   can (the runtime, the course and the grader need only the compiler,
#   libuv, OpenSSL and zlib); each part that needs a missing package says
#   SKIPPED and why.
#   macOS: Homebrew's libuv, cmocka and OpenSSL (keg-only: found through its
#   own pkgconfig folder, which the Makefile adds) and the one brew line.
#
# Exit status 1 only when the runtime itself cannot be built.
# For tests: TAPA_SETUP_NO_ROOT=1 acts as a user without root or sudo;
# TAPA_SETUP_MISSING="pkg ..." treats those packages as not installed.
set -u

# required: without these nothing builds
DEB_REQUIRED="build-essential pkg-config libuv1-dev libssl-dev zlib1g-dev"
# optional: package|the part that needs it
DEB_OPTIONAL="libcmocka-dev|the unit tests (make test-unit, test-asan, test-valgrind, test-erl)
pandoc|the lessons site (make lessons)
erlang-base|the comparisons with real Erlang and the interop tests (erl)
erlang-dev|the libei decoder test (erl_interface)
valgrind|the valgrind run (make test-valgrind)
clang|the clang build, the fuzzers and the Mach-O check
libclang-rt-dev|the fuzzers and sanitizers with clang
clangd|the editor check (make check-editor)
clang-format|the format check (make check-format) and make format
chromium|the lessons' browser check
gcc-aarch64-linux-gnu|the arm64 build (make test-arm64)
qemu-user|running the arm64 build (make test-arm64)
bubblewrap|the sandbox for grading a class (make grade-all)
zip|the Gradescope package (make gradescope)
libedit-dev|line editing and history in tapa-iex
tmux|the tests that type into tapa-iex in a terminal (make test-iex)
elixir|comparing tapa-iex with real iex (make test-iex)
epubcheck|checking the course's EPUB"
# arm64 multiarch libraries: installed together (dpkg --add-architecture arm64)
DEB_ARM64="libuv1-dev:arm64 libcmocka-dev:arm64 libssl-dev:arm64 zlib1g-dev:arm64"

installed() {
    case " ${TAPA_SETUP_MISSING:-} " in *" $1 "*) return 1 ;; esac
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

optional_names() { printf '%s\n' "$DEB_OPTIONAL" | cut -d'|' -f1; }
part_of() { printf '%s\n' "$DEB_OPTIONAL" | awk -F'|' -v p="$1" '$1 == p { print $2 }'; }

missing_of() {
    for p in "$@"; do installed "$p" || printf '%s ' "$p"; done
}

can_install() {
    [ -z "${TAPA_SETUP_NO_ROOT:-}" ] || return 1
    [ "$(id -u)" = 0 ] && return 0
    command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null
}

apt_install() {
    as=""
    [ "$(id -u)" = 0 ] || as="sudo"
    if [ -n "$arm64_missing" ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
        $as dpkg --add-architecture arm64 && $as apt-get update >/dev/null
    fi
    $as apt-get install -y "$@" >/dev/null 2>&1 && return 0
    $as apt-get update >/dev/null
    $as apt-get install -y "$@" >/dev/null 2>&1 && return 0
    # one name this release does not have must not keep the others out
    for p in "$@"; do
        $as apt-get install -y "$p" >/dev/null 2>&1 || echo "tapa: apt-get could not install $p"
    done
}

# ------------------------------------------------------------------ macOS --
if [ "$(uname -s)" = Darwin ]; then
    need=""
    command -v brew >/dev/null 2>&1 || {
        echo "tapa: Homebrew is not installed; see https://brew.sh, then: make"
        exit 1
    }
    brew_prefix=$(brew --prefix)
    ssl_pc=""
    for d in "$brew_prefix/opt/openssl@3/lib/pkgconfig" /opt/homebrew/opt/openssl@3/lib/pkgconfig \
             /usr/local/opt/openssl@3/lib/pkgconfig; do
        [ -f "$d/libcrypto.pc" ] && { ssl_pc=$d; break; }
    done
    command -v pkg-config >/dev/null 2>&1 || need="$need pkg-config"
    pkg-config --exists libuv 2>/dev/null || need="$need libuv"
    [ -n "$ssl_pc" ] || need="$need openssl@3"
    pkg-config --exists cmocka 2>/dev/null || need="$need cmocka"
    for t in pandoc:pandoc erl:erlang; do
        command -v "${t%%:*}" >/dev/null 2>&1 || need="$need ${t#*:}"
    done
    [ -z "$need" ] && exit 0
    echo "tapa: some of what the kit uses is missing. Install it with Homebrew, then make again:"
    echo "  brew install$need"
    case "$need" in
        *pkg-config*|*libuv*|*openssl*) echo "tapa: the runtime needs pkg-config, libuv and OpenSSL: nothing can be built before that."
                                        exit 1 ;;
    esac
    case "$need" in *cmocka*) echo "SKIPPED until cmocka is installed: the unit tests" ;; esac
    case "$need" in *pandoc*) echo "SKIPPED until pandoc is installed: the lessons site" ;; esac
    case "$need" in *erlang*) echo "SKIPPED until erlang is installed: the comparisons with real Erlang" ;; esac
    exit 0
fi

# ---------------------------------------------------------- Debian/Ubuntu --
if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "tapa: this is not a Debian/Ubuntu system; install a C compiler, pkg-config, libuv,"
    echo "OpenSSL (libcrypto) and zlib (needed), cmocka, pandoc and Erlang (for the tests and"
    echo "the lessons) with your package manager, then run make again. Or open the kit in its"
    echo "dev container (.devcontainer/)."
    exit 0
fi

# an arm64 machine runs the kit natively: no cross compiler, no qemu
if [ "$(dpkg --print-architecture)" = arm64 ]; then
    DEB_OPTIONAL=$(printf '%s\n' "$DEB_OPTIONAL" | grep -v -e '^gcc-aarch64-linux-gnu|' -e '^qemu-user|')
    DEB_ARM64=""
fi
arm64_missing=$(missing_of $DEB_ARM64)
missing=$(missing_of $DEB_REQUIRED $(optional_names))$arm64_missing
[ -z "$missing" ] && exit 0

if can_install; then
    echo "tapa: installing what is missing: $missing"
    # shellcheck disable=SC2086
    apt_install $missing
    missing=$(missing_of $DEB_REQUIRED $(optional_names))$(missing_of $DEB_ARM64)
    [ -z "$missing" ] && exit 0
    echo "tapa: these are still missing: $missing"
fi

echo "tapa: cannot install packages here (no root, no sudo). Ask for, or run as root:"
if [ -n "$(missing_of $DEB_ARM64)" ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "  dpkg --add-architecture arm64 && apt-get update"
fi
echo "  apt-get install -y $missing"
required_missing=$(missing_of $DEB_REQUIRED)
if [ -n "$required_missing" ]; then
    echo "tapa: the runtime needs $required_missing: nothing can be built before that."
    exit 1
fi
echo "tapa: building all that does not need them; meanwhile:"
for p in $(optional_names); do
    installed "$p" || echo "  SKIPPED until $p is installed: $(part_of "$p")"
done
[ -n "$(missing_of $DEB_ARM64)" ] && echo "  SKIPPED until the arm64 libraries are installed: the arm64 build (make test-arm64)"
exit 0
