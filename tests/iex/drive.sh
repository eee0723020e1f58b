#!/usr/bin/env bash
# drive.sh SOCKET TARGET SESSION OUT — type SESSION's lines into the tmux pane
# TARGET (on the tmux server SOCKET) one at a time, each after the previous
# one's prompt came back, as a person would; then save the pane's text in OUT.
# Prompts: iex(1)>  ...(1)>  iex(node1@127.0.0.1)1>  ...(node1@127.0.0.1)1>
set -u
sock=$1 target=$2 session=$3 out=$4
PROMPT_RE='^(iex|\.\.\.)\([^)]*\)[0-9]*> '

screen() { tmux -L "$sock" capture-pane -p -J -S - -t "$target" 2>/dev/null; }
# "N yes|no": the number of the last non-blank line of the whole screen,
# and whether it is a fresh prompt (one tmux call: tmux is slow on a busy machine)
state() {
  screen | awk '{ if ($0 ~ /[^ ]/) { n = NR; last = $0 } }
    END { p = (last ~ /^(iex|\.\.\.)\([^)]*\)[0-9]*> *$/) ? "yes" : "no"; print n + 0, p }'
}

# wait until a fresh prompt shows below line $1 (15 s at most)
wait_prompt() {
  local after=$1 i n p
  for i in $(seq 300); do
    read -r n p < <(state)
    if [ "$n" -gt "$after" ] && [ "$p" = yes ]; then return 0; fi
    sleep 0.03
  done
  echo "drive.sh: no prompt came back in $target; the screen:" >&2
  screen | grep -v '^$' | tail -20 >&2
  return 1
}

wait_prompt -1 || exit 1
while IFS= read -r line; do
  case "$line" in '#'*|'') continue ;; esac
  if [[ $line == @type-from\ * ]]; then
    re=${line#@type-from }
    line=$(screen | perl -ne 'if (/'"$re"'/) { print "$1\n"; exit }')
    [ -n "$line" ] || { echo "drive.sh: nothing on the screen matches /$re/" >&2; exit 1; }
  fi
  read -r at _ < <(state)
  tmux -L "$sock" send-keys -t "$target" -l -- "$line" \; send-keys -t "$target" Enter
  wait_prompt "$at" || exit 1
done < "$session"
sleep 0.3
screen > "$out"
