#!/bin/sh
# link-api.sh OUT KEEP OBJ... — one relocatable object OUT made of OBJ...,
# in which only the symbols KEEP names stay global; every other symbol of the
# objects becomes local, so a program linked with OUT may define its own
# utf8_decode, flush or badarg. KEEP: names or PREFIX* patterns separated by
# commas ("tapa_*" for libtapa.a; "tapa_*,main" for the shell of make iex).
#
# From the environment (the Makefile passes tools/toolchain.sh's answers):
#   CC, NM, OBJCOPY, TAPA_TARGET
#   LTO_RLINK  with gcc's LTO objects: the partial link optimises the whole
#              library at once (see below); empty: the plain code is linked
#
# ELF: `CC -r` then `objcopy --keep-global-symbol` for each KEEP. macOS:
# ld64 does both in one step, `ld -r -exported_symbols_list`: the symbols it
# does not list become private externs, which -r then makes static.
#
# gcc's partial link of LTO objects normally keeps every global symbol
# "exported" (a later link could use it), so LTO may not inline or drop the
# internal functions as it does in a program (ring loses ~15% of its speed).
# LTO_RLINK asks lto1 for a position-independent executable's rules with
# -fwhole-program (-flinker-output=pie; the linker still writes a relocatable
# object), and the KEEP symbols are named to the linker with -u, which marks
# them used from outside: they stay global, all else is the library's own.
set -euf # -f: the patterns (tapa_*) are not file names
out=$1 keep=$2
shift 2
: "${CC:=cc}" "${NM:=nm}" "${OBJCOPY:=objcopy}" "${TAPA_TARGET:=}" "${LTO_RLINK:=}"

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t tapa-link)
trap 'rm -rf "$tmp"' EXIT

case $TAPA_TARGET in
*-apple-*)
    printf '%s\n' "$keep" | tr ',' '\n' | sed 's/^/_/' > "$tmp/exported"
    $CC -r -nostdlib -fno-lto -Wl,-exported_symbols_list,"$tmp/exported" "$@" -o "$tmp/out.o"
    mv "$tmp/out.o" "$out"
    exit 0 ;;
esac

# the KEEP patterns as one awk regular expression: ^tapa_|^main$
re=""
for k in $(printf '%s\n' "$keep" | tr ',' ' '); do
    case $k in *'*') r="^${k%'*'}" ;; *) r="^$k\$" ;; esac
    re=${re:+$re|}$r
done
if [ -n "$LTO_RLINK" ]; then
    $NM -g --defined-only "$@" 2>/dev/null | awk -v re="$re" 'NF == 3 && $3 ~ re { print "-Wl,-u," $3 }' \
        | sort -u > "$tmp/used"
    # shellcheck disable=SC2046,SC2086 # flag lists; no spaces in symbol names
    $CC -r -nostdlib $LTO_RLINK $(cat "$tmp/used") "$@" -o "$tmp/linked.o"
else
    $CC -r -nostdlib -fno-lto "$@" -o "$tmp/linked.o"
fi
set --
for k in $(printf '%s\n' "$keep" | tr ',' ' '); do set -- "$@" "--keep-global-symbol=$k"; done
# -R: a plain link of fat LTO objects keeps their LTO sections (gcc's,
# clang's), whose own symbol table would make everything global again in a
# program linked with -flto
$OBJCOPY --wildcard "$@" -R '.gnu.lto_*' -R '.gnu.debuglto_*' -R .llvm.lto "$tmp/linked.o" "$tmp/out.o"
mv "$tmp/out.o" "$out"
