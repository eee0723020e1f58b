#!/bin/sh
# check-progress-screen.sh — what `make` shows (tools/tapa-course.sh) says
# the next thing to do, for each state a learner can be in: nothing run yet
# (read, predict, edit), the code failing a check (the exercise and the
# check), the code passing but predictions missing (the answers file), every
# step done; it offers the built lesson page when the site is built and
# `make lessons` when not; no line is wider than 80 columns.
set -u
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
mkdir -p "$t/tools" && cp tools/tapa-course.sh tools/course-steps.txt "$t/tools/"
bad=0
screen() { printf '%b' "$1" > "$t/progress"; TAPA_PROGRESS="$t/progress" NO_COLOR=1 "$t/tools/tapa-course.sh" > "$t/out" 2>&1; }
expect() { # WHAT PATTERN
    grep -q -- "$2" "$t/out" || { echo "check-progress-screen: $1: no line matching \"$2\" in:"; sed 's/^/    /' "$t/out"; bad=1; }
}
screen ''
expect "nothing run yet" "^  edit     exercises/01_mailbox.c .*look for the TODO"
expect "no site built" "^  read     lessons/01_mailbox.md .*make lessons"
screen '01 done\n02 failed probe.prints_in_order\tflush() printed :world first\n'
expect "a check failing" "^Next: step 02, .*fix the check that failed"
expect "a check failing" "^  edit     exercises/02_flush.c"
expect "a check failing" "^  failed   probe.prints_in_order: flush() printed :world first"
screen '01 done\n02 done\n03 failed answer.second_message\tnot answered yet\n'
expect "predictions missing" "^Next: step 03, .*your code passes; write your predictions"
expect "predictions missing" "^  predict  answers/03_message_receiver.answers"
expect "predictions missing" "^  check    answer.second_message: not answered yet"
screen "$(awk '/^[0-9]/ { print $1 " done" }' tools/course-steps.txt)"
expect "all done" "^Every step is done"
mkdir -p "$t/build/site" && echo x > "$t/build/site/index.html" && echo x > "$t/build/site/01_mailbox.html"
screen ''
expect "the site built" "^  read     build/site/01_mailbox.html"
screen '01 done\n02 failed transcript\tline 4: expected `1`, found `0`. GOOD iex> send(self(), :hello) GOOD :hello GOOD\n'
wide=$(awk 'length($0) > 80' "$t/out")
[ -z "$wide" ] || { echo "check-progress-screen: lines wider than 80 columns:"; echo "$wide"; bad=1; }
[ $bad -eq 0 ] && echo "check-progress-screen: Next follows the state (nothing run, a check failing, predictions missing, all done), the lesson page or make lessons, 80 columns: OK"
exit $bad
