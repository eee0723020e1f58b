#!/usr/bin/env bash
# check-api.sh — the mistakes issue 12 made into compile errors stay errors.
#
#   tests/api/check-api.sh INCLUDE_DIR LIB "LIBS" CFLAGS...
#
# Each tests/api/compile-fail/*.c makes one mistake a C learner makes, on the
# line marked "the mistake", and says in its comment what gcc and clang must
# say about it ("gcc: error: ...", "clang: error: ..."). Each file is
# compiled with gcc and with clang, with CFLAGS (the kit's LEARNER_CFLAGS and
# warnings) and INCLUDE_DIR's tapa.h; the check fails when a file compiles,
# or when no error at the marked line says what its comment says. The
# control, tests/api/compile-pass/control.c, does each of those things the
# right way: it must compile without a warning under the same flags (-Werror)
# with both compilers, link with LIB and print what it promises, so the check
# cannot pass because nothing compiles. With HINT_DRIVER set (make sets it:
# tests/api/hint-driver.c on the grader's tools/grade/compile_hint.c), the
# line the grader prints under each error ("What it means: ...") must say
# what the file's "hint:" line says, for both compilers' words.
set -u
here=$(cd "$(dirname "$0")" && pwd)
inc=$1 lib=$2 libs=$3
shift 3
export LC_ALL=C # the compilers' messages in plain ASCII quotes, as the comments write them
work=$(mktemp -d "${TMPDIR:-/tmp}/check-api.XXXXXX")
trap 'rm -rf "$work"' EXIT
bad=0 ran=0 compilers=()
for cc in gcc clang; do
    if command -v $cc >/dev/null; then compilers+=($cc)
    else echo "check-api: $cc: SKIPPED: not installed (apt-get install $cc)"; fi
done
fail() { echo "check-api: FAILED: $*"; bad=$((bad + 1)); }

for cc in "${compilers[@]}"; do
    for f in "$here"/compile-fail/*.c; do
        name=compile-fail/$(basename "$f")
        want=$(sed -n "s/^ \* $cc: //p" "$f")
        line=$(grep -n 'the mistake \*/' "$f" | head -1 | cut -d: -f1)
        if [ -z "$want" ] || [ -z "$line" ]; then
            fail "$name has no \"$cc: ...\" line in its comment or no line marked \"the mistake\""; continue
        fi
        ran=$((ran + 1))
        if out=$($cc "$@" -I"$inc" -c "$f" -o "$work/o.o" 2>&1); then
            fail "$name compiles with $cc; it must be an error: $want"
            continue
        fi
        # an error at the marked line, saying what the comment says
        if ! printf '%s\n' "$out" | grep -F ":$line:" | grep -qF -- "$want"; then
            fail "$name: $cc did not say at line $line: $want"
            printf '%s\n' "$out" | grep -E 'error|warning' | head -5 | sed 's/^/    /'
        fi
        # the grader's explanation of that error names the mistake too
        hint=$(sed -n 's/^ \* hint: //p' "$f")
        if [ -n "${HINT_DRIVER:-}" ]; then
            said=$(printf '%s\n' "$out" | "$HINT_DRIVER")
            if [ -z "$hint" ]; then fail "$name has no \"hint: ...\" line in its comment"
            elif ! printf '%s\n' "$said" | grep -qF -- "$hint"; then
                fail "$name: under $cc's error the grader says \"${said:-nothing}\", not \"$hint\""; fi
        fi
    done
    ctl=$here/compile-pass/control.c
    ran=$((ran + 1))
    if ! out=$($cc "$@" -Werror -I"$inc" -c "$ctl" -o "$work/control-$cc.o" 2>&1); then
        fail "the control compile-pass/control.c does not compile cleanly with $cc:"
        printf '%s\n' "$out" | head -20 | sed 's/^/    /'
        continue
    fi
    if ! out=$($cc "$work/control-$cc.o" -o "$work/control-$cc" "$lib" $libs 2>&1); then
        fail "the control does not link with $cc:"; printf '%s\n' "$out" | head -10 | sed 's/^/    /'; continue
    fi
    got=$("$work/control-$cc" 2>"$work/control.err")
    want=$(sed -n 's/^ \* prints: //p' "$ctl")
    [ "$got" = "$want" ] || { fail "the control built with $cc printed \"$got\", not \"$want\""; sed 's/^/    /' "$work/control.err"; }
done
nfail=$(ls "$here"/compile-fail/*.c | wc -l)
if [ $bad -eq 0 ]; then
    echo "check-api: $nfail learner mistakes are compile errors naming the mistake${HINT_DRIVER:+ (and so does the grader hint under it)}, and the control compiles, links and runs, with ${compilers[*]} ($ran compiles): OK"
else
    echo "check-api: $bad of $ran compiles went wrong (see above)"; exit 1
fi
