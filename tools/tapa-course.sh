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

# One line per step: NUM SLUG STATE TITLE, from the one table of steps
# (tools/course-steps.txt). STATE: done, failed (a check of the code failed
# at the last run), answers (the code passed, a prediction did not) or
# pending (not run yet).
steps=$(awk '/^[0-9]/' tools/course-steps.txt | while read -r num slug title; do
    state=pending
    if [ -f "$progress" ] && grep -q "^$num done" "$progress"; then state=done
    elif [ -f "$progress" ] && grep -q "^$num failed answer\." "$progress"; then state=answers
    elif [ -f "$progress" ] && grep -q "^$num failed " "$progress"; then state=failed; fi
    printf '%s %s %s %s\n' "$num" "$slug" "$state" "$title"
done)
# the last run's failed check of each step: NUM CHECK<TAB>what it saw
failed=$( [ -f "$progress" ] && sed -n 's/^\([0-9][0-9]\) failed /\1 /p' "$progress" || true)
site=no; [ -f build/site/index.html ] && site=yes

printf '%sTapas in C%s — Erlang-style message passing, for C programmers\n\n' "$bold" "$off"
printf '%s\n' "$steps" | awk -v bold="$bold" -v green="$green" -v dim="$dim" -v off="$off" \
    -v site="$site" -v failed="$failed" '
    BEGIN { nf = split(failed, fl, "\n")
            for (i = 1; i <= nf; i++) { k = substr(fl[i], 1, 2); r = substr(fl[i], 4)
                                        t = index(r, "\t"); fid[k] = t ? substr(r, 1, t - 1) : r
                                        fsaw[k] = t ? substr(r, t + 1) : "" } }
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
            printf "  %s  %s %-44s %s\n", mark, num[i], title[i], i == next_i ? "<-" : ""
        }
        if (!next_i) { printf "\n%sEvery step is done.%s `make grade` shows your marks.\n", bold, off; exit }
        k = num[next_i]; b = k "_" slug[next_i]; saw = fsaw[k]
        gsub(/  +/, " ", saw)
        saw = fid[k] ": " saw
        if (length(saw) > 68) saw = substr(saw, 1, 65) "..."
        page = sprintf("build/site/%s.html", b)
        if (site != "yes" || (getline line < page) <= 0) page = sprintf("lessons/%s.md    (as a web page: make lessons)", b)
        if (state[next_i] == "answers") {
            printf "\n%sNext: step %s, %s: your code passes; write your predictions%s\n", bold, k, title[next_i], off
            printf "  predict  answers/%s.answers\n", b
            printf "  check    %s\n", saw
            printf "  read     %s\n", page
            printf "  run      make %s\n", k
        } else if (state[next_i] == "failed") {
            printf "\n%sNext: step %s, %s: fix the check that failed%s\n", bold, k, title[next_i], off
            printf "  edit     exercises/%s.c\n", b
            printf "  failed   %s\n", saw
            printf "  run      make %s                (or make watch: re-checks on every save)\n", k
            printf "  stuck?   make hint              (a hint about this failure first)\n"
            printf "  read     %s\n", page
        } else {
            printf "\n%sNext: step %s, %s%s\n", bold, k, title[next_i], off
            printf "  read     %s\n", page
            printf "  predict  answers/%s.answers   (before you run it)\n", b
            printf "  edit     exercises/%s.c       (look for the TODO)\n", b
            printf "  run      make %s                (or make watch: re-checks on every save)\n", k
            printf "  stuck?   make hint              (a nudge first, most of the answer last)\n"
        }
    }'
