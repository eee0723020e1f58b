#!/bin/sh
# check-symbols.sh OUT LIBTAPA.a SHLIB [IEX.a] — the library exports its API
# only (issue 12), checked on what is built (make check-symbols):
#   1. every global symbol defined in libtapa.a and every dynamic symbol
#      defined in the shared library starts with tapa_ (any other is named);
#   2. tests/symbols/common_names.c, a learner's program with its own flush,
#      receive, spawn, badarg, utf8_decode, heap_copy, dn, el... links with
#      libtapa.a, and with the shared library, and runs right (so neither a
#      "multiple definition" nor a runtime calling the learner's function);
#   3. with IEX.a (the shell of make iex STEP=NN), the same program as an
#      exercise (its main renamed) links into the shell.
# From the environment: CC, NM, TAPA_TARGET, TAPA_CFLAGS, TAPA_LIBS,
# TAPA_IEX_LIBS, TAPA_RUNNER (e.g. qemu-aarch64 for a cross build).
set -u
out=$1 lib=$2 shlib=$3 iex=${4:-}
: "${CC:=cc}" "${NM:=nm}" "${TAPA_TARGET:=}" "${TAPA_CFLAGS:=}" "${TAPA_LIBS:=-luv -lcrypto -lz -lm -lpthread}" "${TAPA_IEX_LIBS:=-ledit}"
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
fail=0

# global_defined FILE KIND: the names of the global symbols FILE defines
# (KIND static: nm -g; shared: its dynamic symbol table), without Mach-O's _
global_defined() {
    case $TAPA_TARGET in
    *-apple-*) $NM -gU "$1" | awk 'NF >= 3 { print $NF }' | sed 's/^_//' ;;
    *) if [ "$2" = shared ]; then flag=-D; else flag=-g; fi
       $NM $flag --defined-only "$1" 2>/dev/null | awk 'NF == 3 { print $3 }' ;; # (an empty object: "no symbols")
    esac
}

for pair in "$lib:static" "$shlib:shared"; do
    f=${pair%:*} kind=${pair##*:}
    if ! [ -f "$f" ]; then echo "symbols: FAIL: $f is not built"; fail=1; continue; fi
    all=$(global_defined "$f" "$kind" | sort -u)
    n=$(printf '%s\n' "$all" | grep -c '^tapa_')
    others=$(printf '%s\n' "$all" | grep -v -e '^tapa_' -e '^$')
    if [ -n "$others" ]; then
        echo "symbols: FAIL: $f exports $(printf '%s\n' "$others" | wc -l | tr -d ' ') symbol(s) without the tapa_ prefix" \
             "(a learner's function of the same name would clash or be called by the runtime):"
        printf '%s\n' "$others" | tr '\n' ' ' | fold -s -w 100 | sed 's/^/    /'
        echo
        echo "    A new internal global? make internal-names adds it to runtime/internal_names.h (as tapa_i_NAME)."
        fail=1
    elif [ "$n" -lt 50 ]; then
        echo "symbols: FAIL: $f exports only $n tapa_ symbols: the API is missing"; fail=1
    else
        echo "symbols: $f exports $n symbols, all tapa_*: OK"
    fi
done

# run PROGRAM: through TAPA_RUNNER when cross-built
run() { if [ -n "${TAPA_RUNNER:-}" ]; then $TAPA_RUNNER "$@"; else "$@"; fi; }

# shellcheck disable=SC2086 # flag lists
try() { # try WHAT PROGRAM LINK_ARGS...: link the program, run it
    what=$1 prog=$2; shift 2
    if ! $CC $TAPA_CFLAGS -I"$here/../../runtime/include" "$here/common_names.c" -o "$prog" "$@" > "$prog.log" 2>&1; then
        echo "symbols: FAIL: a program with its own flush, utf8_decode, heap_copy... does not link with $what:"
        grep -m 5 -e 'multiple definition' -e 'duplicate symbol' -e 'undefined' -e 'cannot find' -e 'error' "$prog.log" | sed 's/^/    /'
        fail=1; return
    fi
    if run "$prog" > "$prog.out" 2>&1 && grep -qx 'common names: ok' "$prog.out"; then
        echo "symbols: a program with its own flush, receive, utf8_decode, heap_copy, dn... links with $what and runs: OK"
    else
        echo "symbols: FAIL: the program with common names linked with $what but did not run right:"
        head -5 "$prog.out" | sed 's/^/    /'
        fail=1
    fi
}
try "$lib" "$out/common_names_static" "$lib" $TAPA_LIBS
[ -f "$shlib" ] && try "$shlib" "$out/common_names_shared" "$shlib" -Wl,-rpath,"$(cd "$(dirname "$shlib")" && pwd)" $TAPA_LIBS

if [ -n "$iex" ]; then
    if $CC $TAPA_CFLAGS -I"$here/../../runtime/include" -Dmain=tapa_iex_exercise_main -c "$here/common_names.c" \
           -o "$out/exercise.o" > "$out/iex.log" 2>&1 \
       && $CC "$out/exercise.o" -o "$out/tapa-iex-common" $iex $TAPA_LIBS $TAPA_IEX_LIBS >> "$out/iex.log" 2>&1; then
        echo "symbols: the same program as an exercise links into the shell of make iex STEP=NN: OK"
    else
        echo "symbols: FAIL: the program with common names does not link into the shell of make iex STEP=NN ($iex):"
        grep -m 5 -e 'multiple definition' -e 'duplicate symbol' -e 'undefined' -e 'cannot find' -e 'error' "$out/iex.log" | sed 's/^/    /'
        fail=1
    fi
fi
exit $fail
