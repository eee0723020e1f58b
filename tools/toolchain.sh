#!/bin/sh
# toolchain.sh "CC" — what the build needs to know about the compiler, as
# make assignments (the Makefile includes them, cached per CC in build/):
#
#   TAPA_TARGET  the target triple (CC -dumpmachine)
#   CTX_ARCH     which context switch to assemble: x86_64 or arm64
#   AR           the archiver that matches CC (gcc-ar for gcc, llvm-ar for clang)
#   NM, OBJCOPY  the binutils that read CC's objects (a cross gcc's own, llvm's
#                for clang when installed); OBJCOPY is empty on macOS, where
#                ld -r -exported_symbols_list hides the internals instead
#   LTO          link-time optimisation flags, or nothing
#   LTO_RLINK    the flags of an LTO partial link (tools/link-api.sh); the
#                probe below proves it, make iex's shell links without it
#
# LTO is on only when it works end to end with this CC and AR: fat LTO
# objects archived as they are and linked without LTO (libtapa-internal.a:
# the kit's tests and tools), and partially linked into one object whose
# only global symbol is tapa_* (as make iex's shell, tools/link-api.sh), archived and
# linked into a program that has a function of the same name as a hidden
# one, both with -flto and with -fno-lto. clang 14 ignores -ffat-lto-objects
# and writes bitcode that a plain link cannot read, so with it LTO is off,
# said here, never a silently broken archive. An unsupported target stops
# the build with one line.
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

# nm and objcopy: the cross toolchain's own (they know its machine), llvm's
# beside clang, else the host's; Mach-O needs no objcopy (ld64 hides symbols)
nm=nm objcopy=objcopy
pfx=$(printf '%s' "$first" | sed -n -e 's/^\(.*-\)gcc[^/]*$/\1/p' -e 's/^\(.*-\)clang[^/]*$/\1/p')
if $cc --version 2>/dev/null | grep -qi clang; then
    for cand in "llvm-nm$v" llvm-nm; do command -v "$cand" >/dev/null 2>&1 && { nm=$cand; break; }; done
    for cand in "llvm-objcopy$v" llvm-objcopy; do command -v "$cand" >/dev/null 2>&1 && { objcopy=$cand; break; }; done
fi
if [ -n "$pfx" ]; then
    command -v "${pfx}nm" >/dev/null 2>&1 && nm=${pfx}nm
    command -v "${pfx}objcopy" >/dev/null 2>&1 && objcopy=${pfx}objcopy
fi
case $target in *-apple-*) objcopy= ;; esac

lto="" rlink=""
lto_flags="-flto=auto -ffat-lto-objects"
# gcc: the partial link optimises the library as one program (tools/link-api.sh)
$cc --version 2>/dev/null | grep -qi clang || rlink="-flto=auto -flinker-output=pie -fwhole-program"
tmp=$(mktemp -d 2>/dev/null || mktemp -d -t tapa)
trap 'rm -rf "$tmp"' EXIT
printf 'int probe_helper(int x) { return x * 2; }\nint tapa_probe_f(int x) { return probe_helper(x) + 1; }\n' > "$tmp/a.c"
# the program has a probe_helper of its own: libtapa.a's must not be seen
printf 'int tapa_probe_f(int);\nint probe_helper(int x) { return x; }\nint main(void) { return tapa_probe_f(0) - 1 + probe_helper(0); }\n' > "$tmp/m.c"
link_api() { # link_api RLINK_FLAGS: a.o -> liba.a as libtapa.a is made
    CC=$cc NM=$nm OBJCOPY=$objcopy TAPA_TARGET=$target LTO_RLINK=$1 \
        "$(dirname "$0")/link-api.sh" "$tmp/api.o" 'tapa_*' "$tmp/a.o" >/dev/null 2>&1 \
    && rm -f "$tmp/liba.a" && $ar rcs "$tmp/liba.a" "$tmp/api.o" >/dev/null 2>&1
}
if $cc $lto_flags -Werror -O2 -c "$tmp/a.c" -o "$tmp/a.o" >/dev/null 2>&1 \
   && $ar rcs "$tmp/libi.a" "$tmp/a.o" >/dev/null 2>&1 \
   && printf 'int tapa_probe_f(int);\nint main(void) { return tapa_probe_f(-1); }\n' > "$tmp/t.c" \
   && $cc -O2 -fno-lto "$tmp/t.c" -o "$tmp/plain" "$tmp/libi.a" >/dev/null 2>&1; then
    if [ -n "$rlink" ] && ! link_api "$rlink"; then rlink=""; fi
    if { [ -n "$rlink" ] || link_api ""; } \
       && $cc -O2 -fno-lto "$tmp/m.c" -o "$tmp/plain" "$tmp/liba.a" >/dev/null 2>&1 \
       && $cc $lto_flags -O2 "$tmp/m.c" -o "$tmp/lto" "$tmp/liba.a" >/dev/null 2>&1; then
        lto=$lto_flags
    fi
fi
[ -n "$lto" ] || rlink=""

echo "TAPA_TARGET := $target"
echo "CTX_ARCH := $arch"
echo "AR := $ar"
echo "NM := $nm"
echo "OBJCOPY := $objcopy"
echo "LTO := $lto"
echo "LTO_RLINK := $rlink"
if [ -z "$lto" ]; then
    echo "LTO_NOTE := LTO off: $cc with $ar cannot build an archive that links both with and without -flto"
elif [ -z "$rlink" ]; then
    echo "LTO_NOTE := LTO on ($lto, $ar); libtapa.a links the plain code of its objects"
else
    echo "LTO_NOTE := LTO on ($lto, $ar); libtapa.a optimised as a whole ($rlink)"
fi
