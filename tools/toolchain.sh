#!/bin/sh
# toolchain.sh "CC" — what the build needs to know about the compiler, as
# make assignments (the Makefile includes them, cached per CC in build/):
#
#   TAPA_TARGET  the target triple (CC -dumpmachine)
#   CTX_ARCH     which context switch to assemble: x86_64 or arm64
#   AR           the archiver that matches CC (gcc-ar for gcc, llvm-ar for clang)
#   LTO          link-time optimisation flags, or nothing
#
# LTO is on only when it works end to end with this CC and AR: an LTO object
# archived, the archive linked into a program both with -flto and with
# -fno-lto (learners' exercises and the tests link the plain code of the fat
# objects). clang 14 ignores -ffat-lto-objects and writes bitcode that a
# plain link cannot read, so with it LTO is off, said here, never a silently
# broken archive. An unsupported target stops the build with one line.
set -u
cc=${1:?usage: toolchain.sh CC}

target=$($cc -dumpmachine 2>/dev/null) || {
    echo "\$(error tapa: the C compiler '$cc' does not run; install gcc or clang, or set CC)"
    exit 0
}
case $target in
    x86_64-*|amd64-*) arch=x86_64 ;;
    aarch64-*|arm64-*) arch=arm64 ;;
    *)
        echo "\$(error tapa: no context switch for target $target; supported: x86-64 and arm64 (Linux, macOS))"
        exit 0 ;;
esac

# the archiver that understands this compiler's LTO objects
first=${cc%% *}
if $cc --version 2>/dev/null | grep -qi clang; then
    v=$(printf '%s' "$first" | sed -n 's/.*clang\(-[0-9][0-9]*\)$/\1/p')
    ar=ar
    for cand in "llvm-ar$v" llvm-ar; do
        command -v "$cand" >/dev/null 2>&1 && { ar=$cand; break; }
    done
else
    ar=ar
    case $first in
        *gcc*) cand=$(printf '%s' "$first" | sed 's/gcc\(-[0-9][0-9]*\)\{0,1\}$/gcc-ar\1/')
               command -v "$cand" >/dev/null 2>&1 && ar=$cand ;;
        *) # gcc under another name (cc on Debian)
           $cc --version 2>/dev/null | grep -q "Free Software Foundation" \
               && command -v gcc-ar >/dev/null 2>&1 && ar=gcc-ar ;;
    esac
    # a cross gcc without its gcc-ar: its binutils' ar
    if [ "$ar" = ar ]; then
        pfx=$(printf '%s' "$first" | sed -n 's/^\(.*-\)gcc.*$/\1/p')
        [ -n "$pfx" ] && command -v "${pfx}ar" >/dev/null 2>&1 && ar=${pfx}ar
    fi
fi

lto=""
lto_flags="-flto=auto -ffat-lto-objects"
tmp=$(mktemp -d 2>/dev/null || mktemp -d -t tapa)
trap 'rm -rf "$tmp"' EXIT
printf 'int tapa_probe_f(int x) { return x + 1; }\n' > "$tmp/a.c"
printf 'int tapa_probe_f(int);\nint main(void) { return tapa_probe_f(-1); }\n' > "$tmp/m.c"
if $cc $lto_flags -Werror -O2 -c "$tmp/a.c" -o "$tmp/a.o" >/dev/null 2>&1 \
   && $ar rcs "$tmp/liba.a" "$tmp/a.o" >/dev/null 2>&1 \
   && $cc -O2 -fno-lto "$tmp/m.c" -o "$tmp/plain" "$tmp/liba.a" >/dev/null 2>&1 \
   && $cc $lto_flags -O2 "$tmp/m.c" -o "$tmp/lto" "$tmp/liba.a" >/dev/null 2>&1; then
    lto=$lto_flags
fi

echo "TAPA_TARGET := $target"
echo "CTX_ARCH := $arch"
echo "AR := $ar"
echo "LTO := $lto"
if [ -z "$lto" ]; then
    echo "LTO_NOTE := LTO off: $cc with $ar cannot build an archive that links both with and without -flto"
else
    echo "LTO_NOTE := LTO on ($lto, $ar)"
fi
