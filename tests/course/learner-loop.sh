#!/bin/sh
# learner-loop.sh OUT — the learner's loop, run as a learner would (issue 15):
# in a fresh copy of the kit (the tracked files, the exercises and answers as
# git has them), `make`, then step 05 broken by a missing `;`, `make 05`, the
# `;` put back, `make 05`. It checks that
#   - no compiler command line is printed (only `  CC  ...` lines), while
#     `make V=1` does print them;
#   - the compile error names exercises/05_mailbox_growth.c and the line of
#     the missing `;`, as editors parse it (FILE:LINE:COL: error: ...), and
#     not the grader's copy;
#   - the verdict comes first: "does not compile" with the first error before
#     the compiler's output, and the one-line summary of the step first among
#     the checks.
# The built library and tools are reused (copied, then two tools removed, so
# that make has something to compile and link quietly; a whole runtime
# rebuild would cost a minute).
set -u
out=${1:-build/course/loop}
kit=$(pwd)
rm -rf "$out" && mkdir -p "$out/kit" || exit 1
copy=$(cd "$out/kit" && pwd)
fail() { echo "learner-loop: $*"; exit 1; }

git ls-files | tar -cf - -T - | (cd "$copy" && tar -xf -) || fail "could not copy the kit"
for f in exercises/[0-9][0-9]_*.c answers/*.answers; do
    git show "HEAD:$f" > "$copy/$f" 2>/dev/null || cp "$f" "$copy/$f"
done
mkdir -p "$copy/build" && cp -a build/release build/bin build/gen build/toolchain build/.cc build/.deps "$copy/build/" \
    || fail "build the kit first (make): build/release, build/bin and build/gen are reused"
rm -f "$copy/build/release/bin/tapa-grade" "$copy/build/bin/tapa-grade" "$copy/build/release/bin/tapa-epmd" \
      "$copy/build/bin/tapa-epmd"
cd "$copy" || exit 1
export NO_COLOR=1
unset MAKEFLAGS MFLAGS MAKELEVEL V # a learner's shell, not the make that runs this test

# a compiler's command line: the kit's flags never appear in a quiet build
cmdlines() { grep -E -e '-std=c11|-Wall|-Wextra|-flto|-fno-lto' "$1"; }

make > make.log 2>&1 || { tail -30 make.log; fail "make failed in the fresh copy (log: $copy/make.log)"; }
grep -q '^Progress:' make.log || fail "make did not show the course (log: $copy/make.log)"
grep -q '^  LINK *build/release/bin/tapa-epmd$' make.log || fail "make rebuilt tapa-epmd without saying so in one short line"
grep -q '^  CC  *build/release/bin/tapa-grade$' make.log || fail "make rebuilt the grader without saying so in one short line"
[ -z "$(cmdlines make.log)" ] || { cmdlines make.log | head -3; fail "make printed compiler command lines (above) without V=1"; }

src=exercises/05_mailbox_growth.c
line=$(grep -n 'tapa_send(tapa_var(&m, "from"), tapa_atom("pong"));' $src | head -1 | cut -d: -f1)
[ -n "$line" ] || fail "$src no longer has the line this test breaks; update the test"
cp $src $src.orig
sed "${line}s/;\$//" $src.orig > $src # the learner forgets a ;
make 05 > broken.log 2>&1 && fail "make 05 passes with a syntax error in $src? (log: $copy/broken.log)"
grep -q "^$src:$line:[0-9]*: error: " broken.log || {
    cat broken.log; fail "the compile error does not name $src:$line (the line of the missing ;) as FILE:LINE:COL: error:"; }
! grep -q 'build/grade/work' broken.log || { grep 'build/grade/work' broken.log; fail "a message names the grader's copy, not $src"; }
first=$(sed -n '2p' broken.log)
case $first in
"Step 05 does not compile. First error: $src:$line:"*) ;;
*) cat broken.log; fail "the verdict is not the first line after the build line: \"$first\"" ;;
esac
[ -z "$(cmdlines broken.log)" ] || fail "make 05 printed compiler command lines"

mv $src.orig $src # fixed
make 05 > fixed.log 2>&1 # the starter still fails its checks: make says so
grep -q 'does not compile' fixed.log && { cat fixed.log; fail "make 05 does not compile the fixed $src"; }
summary=$(sed -n '/^\$ checking step 05/{n;p;n;p;q}' fixed.log)
printf '%s\n' "$summary" | head -1 | grep -Eq '^  05 Mailbox growth +[0-9]+/14 ' &&
    printf '%s\n' "$summary" | tail -1 | grep -Eq '^[01] of 1 step passed, score [0-9]+/14' || {
    cat fixed.log; fail "the summary is not first among the checks: \"$summary\""; }
[ -z "$(cmdlines fixed.log)" ] || fail "make 05 printed compiler command lines"

# the contrast: V=1 shows the commands (so the checks above can fail)
rm -f build/release/bin/tapa-epmd build/bin/tapa-epmd
make V=1 build/bin/tapa-epmd > verbose.log 2>&1 || fail "make V=1 failed (log: $copy/verbose.log)"
[ -n "$(cmdlines verbose.log)" ] || fail "make V=1 did not print the compiler's command line"

echo "learner-loop: fresh copy, make, step 05 broken then fixed: quiet (V=1 verbose), the error at $src:$line, verdict and summary first: OK"
