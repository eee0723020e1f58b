#!/bin/sh
# tapa-course.sh — the course at a glance (what `make` shows): a progress bar,
# each step done or pending, and the next step with its lesson and command.
# Progress lives in one small file, .tapa-progress (TAPA_PROGRESS overrides),
# written by `make grade`, `make NN` and `make watch`. Colour only on a
# terminal, and never when NO_COLOR is set. POSIX sh and awk only.
set -eu
cd "$(dirname "$0")/.."
progress=${TAPA_PROGRESS:-.tapa-progress}

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    bold=$(printf '\033[1m'); green=$(printf '\033[32m'); dim=$(printf '\033[2m'); off=$(printf '\033[0m')
else
    bold=; green=; dim=; off=
fi

# One line per step: NUM SLUG STATE TITLE (title from the lesson's heading).
steps=$(for f in exercises/[0-9][0-9]_*.c; do
    [ -e "$f" ] || continue
    base=$(basename "$f" .c); num=${base%%_*}; slug=${base#*_}
    title=$(sed -n '1s/^# *Step [0-9]* *[—-]* *//p' "lessons/$base.md" 2>/dev/null || true)
    state=pending
    if [ -f "$progress" ] && grep -q "^$num done" "$progress"; then state=done; fi
    printf '%s %s %s %s\n' "$num" "$slug" "$state" "${title:-$slug}"
done)

printf '%sTapas in C%s — Erlang-style message passing, for C programmers\n\n' "$bold" "$off"
printf '%s\n' "$steps" | awk -v bold="$bold" -v green="$green" -v dim="$dim" -v off="$off" '
    { n++; num[n] = $1; slug[n] = $2; state[n] = $3; t = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", t); title[n] = t
      if ($3 == "done") done++; else if (!next_i) next_i = n }
    END {
        width = 32; filled = n ? int(done * width / n) : 0
        bar = ""
        for (i = 0; i < width; i++) bar = bar (i < filled ? "#" : (i == filled ? ">" : "-"))
        if (done == n) bar = substr(bar, 1, width - 1) "#"
        printf "Progress: [%s] %d/%d steps\n\n", bar, done, n
        for (i = 1; i <= n; i++) {
            mark = state[i] == "done" ? green "done   " off : (i == next_i ? bold "next   " off : dim "pending" off)
            printf "  %s  %s %-40s %s\n", mark, num[i], title[i], i == next_i ? "<-" : ""
        }
        if (next_i) {
            b = num[next_i] "_" slug[next_i]
            printf "\n%sNext: step %s, %s%s\n", bold, num[next_i], title[next_i], off
            printf "  read     lessons/%s.md\n", b
            printf "  predict  answers/%s.answers   (before you run it)\n", b
            printf "  edit     exercises/%s.c       (look for the TODO)\n", b
            printf "  run      make %s                (or: make watch, which re-checks on every save)\n", num[next_i]
            printf "  stuck?   make hint              (a nudge first, most of the answer last)\n"
        } else {
            printf "\n%sEvery step is done.%s `make grade` shows your marks.\n", bold, off
        }
    }'
