#!/bin/sh
# check-steps.sh — the one table of steps (tools/course-steps.txt) agrees
# with the kit: each step has its exercise, solution, answers files, hints
# and lesson; the lesson's heading is "# Step NN — TITLE"; the site lists it
# (tools/site/steps.txt); a title fits the progress screen (44 characters);
# no exercise is left out of the table; the grader's table is the same.
set -u
table=tools/course-steps.txt grader=${1:-}
errs=$(awk '/^[0-9]/ { t = $0; sub(/^[^ ]+ [^ ]+ /, "", t); print $1, $2, t }' $table | while read -r num slug title; do
    b=${num}_$slug
    for f in exercises/$b.c solutions/$b.c answers/$b.answers solutions/answers/$b.answers exercises/hints/$num.md lessons/$b.md; do
        [ -e "$f" ] || echo "step $num: $f is missing"
    done
    [ ${#title} -le 44 ] || echo "step $num: the title \"$title\" is ${#title} characters; 44 fit the progress screen"
    head=$(sed -n '1p' lessons/$b.md 2>/dev/null)
    [ "$head" = "# Step $num — $title" ] || echo "step $num: lessons/$b.md begins \"$head\", the table says \"# Step $num — $title\""
    grep -q "^$b|" tools/site/steps.txt || echo "step $num: tools/site/steps.txt has no line for $b"
done)
for f in exercises/[0-9][0-9]_*.c; do
    b=$(basename "$f" .c)
    grep -q "^${b%%_*} ${b#*_} " $table || errs="$errs
$f is not in $table"
done
if [ -n "$grader" ]; then # the grader's steps, as its --help lists them
    "$grader" --list-steps > /tmp/check-steps.$$ 2>&1
    awk '/^[0-9]/' $table > /tmp/check-steps-table.$$
    cmp -s /tmp/check-steps-table.$$ /tmp/check-steps.$$ || errs="$errs
the grader's table (<) differs from $table (>) (rebuild it: make build/bin/tapa-grade):
$(diff /tmp/check-steps.$$ /tmp/check-steps-table.$$ | head -10)"
    rm -f /tmp/check-steps.$$ /tmp/check-steps-table.$$
fi
errs=$(printf '%s\n' "$errs" | sed '/^$/d')
if [ -n "$errs" ]; then
    printf 'check-steps: the table of steps and the kit disagree:\n%s\n' "$errs" | sed '2,$s/^/    /'
    exit 1
fi
echo "check-steps: $(grep -c '^[0-9]' $table) steps, one table, files, lessons' headings and the grader agree: OK"
