#!/bin/sh
# hostile-class.sh — grade a class of hostile submissions (make check-hostile,
# part of make check-course) and prove every other grade is unaffected,
# nothing leaked and nothing is left running.
#
#   tests/course/hostile-class.sh GRADER OUT      (from the kit's top; make
#                                                 passes the compiler in TAPA_*)
# The class: good (a right step 01, flat layout, one stray file), reader
# (other students' files and /etc/shadow at run time), incbin (the same at
# compile time, with .incbin),
# killer (kill(getppid(), 9)), setsid (a child in a new session that would
# outlive the run), writer (into the kit, another student, /tmp), hog (memory
# and output without end), forger (verdict lines on the probe's channel).
set -u
grade=$1
mkdir -p "$2" && out=$(cd "$2" && pwd) # not realpath -m: GNU only
kit=$(pwd)
tag=$(( 7000000 + $$ % 1000000 ))   # a unique number: sleep's argument, file names
subs=$out/class
rm -rf "$out" && mkdir -p "$subs"
fail=0
bad() { echo "check-hostile: FAIL: $*"; fail=1; }

mkdir -p "$subs/good"
cp solutions/01_mailbox.c solutions/answers/01_mailbox.answers "$subs/good/"
echo "notes" > "$subs/good/README.txt"
for h in reader incbin killer setsid writer hog forger; do
    mkdir -p "$subs/$h"
    sed -e "s|@SUBS@|$subs|g" -e "s|@KIT@|$kit|g" -e "s|@TAG@|$tag|g" "tests/course/hostile/$h.c" > "$subs/$h/01_mailbox.c"
    cp solutions/answers/01_mailbox.answers "$subs/$h/"
done
cp "$subs/good/01_mailbox.answers" "$out/good-answers.orig"

TAPA_SLOW=${TAPA_SLOW:-1} "$grade" --kit . -j 2 grade-all "$subs" --out "$out/result" > "$out/log" 2>&1
rc=$?
if [ -z "${HOSTILE_FORCE:-}" ] && grep -q "no bubblewrap sandbox" "$out/log"; then
    echo "check-hostile: skipped, bubblewrap cannot run here: $(grep 'no bubblewrap' "$out/log")"
    exit 0
fi
book=$out/result/gradebook.csv
[ $rc -eq 0 ] || bad "grade-all exited with $rc (see $out/log)"
[ -f "$book" ] || bad "no gradebook (the grader was killed?)"
row() { grep "^\"$1\"," "$book" 2>/dev/null; }
col01() { row "$1" | cut -d, -f2; }
[ "$(col01 good)" = 8 ] || bad "good's step 01 is '$(col01 good)', not 8/8 (see $out/log)"
for h in reader incbin killer setsid writer hog forger; do
    [ -n "$(row $h)" ] || bad "no gradebook row for $h"
done
[ "$(col01 forger)" != 8 ] || bad "the forger got full marks on step 01"
row forger | grep -q "verdict-like lines" || bad "the forger is not flagged for review in the gradebook"
row good | grep -q "README.txt not recognised" || bad "good's stray README.txt is not a warning in the gradebook"
if grep -rqE "STOLEN .*(root:|tapa_keyword_get|queue_len_after|reader|writer|killer)" "$out/result"; then
    bad "the reader's report shows another student's files or /etc/shadow:"
    grep -rhE "STOLEN .*(root:|tapa_keyword_get|queue_len_after|reader|writer|killer)" "$out/result" | head -5
fi
grep -rq "STOLEN" "$out/result" || bad "the reader's report shows none of its output: is the test still hostile?"
left=$(grep -l "^sleep.$tag" /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' ' ')
if [ -n "$left" ]; then
    bad "the setsid child is still running: $left"
    for f in $left; do p=${f#/proc/}; kill -9 "${p%/cmdline}" 2>/dev/null; done
fi
[ ! -e "$kit/exercises/pwned-$tag.txt" ] || { bad "the writer wrote into the kit"; rm -f "$kit/exercises/pwned-$tag.txt"; }
[ ! -e "/tmp/pwned-$tag" ] || { bad "the writer wrote into the machine's /tmp"; rm -f "/tmp/pwned-$tag"; }
cmp -s "$subs/good/01_mailbox.answers" "$out/good-answers.orig" || bad "the writer changed another student's answers"
grep -q "PWNED" "$out/class/../result/gradebook.csv" 2>/dev/null && bad "the writer wrote into the gradebook"
if [ $fail -eq 0 ]; then
    echo "check-hostile: a hostile class (reader, incbin, killer, setsid, writer, hog, forger) graded in a bubblewrap" \
         "sandbox: good keeps 8/8, nothing leaked, nothing left running, the forger flagged: OK"
fi
exit $fail
