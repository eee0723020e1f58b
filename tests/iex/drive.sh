#!/usr/bin/env bash
# drive.sh SOCKET TARGET SESSION OUT — type SESSION's lines into tmux panes
# (on the tmux server SOCKET), one at a time, each after the previous one's
# prompt came back, as a person would; then save each pane's text in
# OUT (the first pane) or OUT.PANE (the others, named as in @pane).
# Prompts: iex(1)>  ...(1)>  iex(node1@127.0.0.1)1>  ...(node1@127.0.0.1)1>
#
# Directives in SESSION:
#   @pane T                 the next lines go to pane T (e.g. t:iex)
#   @nowait LINE            type LINE and do not wait (it blocks: a receive)
#   @wait-for REGEX         wait until the current pane shows REGEX (perl)
#   @wait-prompt            wait until the current pane shows a fresh prompt
#   @capture NAME T REGEX   NAME := the first group of REGEX on pane T; lines
#                           then use it as {{NAME}}
#   @type-from REGEX        type the first group of REGEX (current pane)
set -u
sock=$1 target=$2 session=$3 out=$4
first=$target
declare -A vars=() used=([$target]=1)

screen_of() { tmux -L "$sock" capture-pane -p -J -S - -t "$1" 2>/dev/null; }
screen() { screen_of "$target"; }
# "N yes|no": the number of the last non-blank line of the whole screen,
# and whether it is a fresh prompt (one tmux call: tmux is slow on a busy machine)
state() {
  screen | awk '{ if ($0 ~ /[^ ]/) { n = NR; last = $0 } }
    END { p = (last ~ /^(iex|\.\.\.)\([^)]*\)[0-9]*> *$/) ? "yes" : "no"; print n + 0, p }'
}

give_up() {
  echo "drive.sh: $1 in $target; the screen:" >&2
  screen | grep -v '^$' | tail -20 >&2
  exit 1
}

# wait until a fresh prompt shows below line $1 (20 s at most)
wait_prompt() {
  local after=$1 i n p
  for i in $(seq 400); do
    read -r n p < <(state)
    if [ "$n" -gt "$after" ] && [ "$p" = yes ]; then return 0; fi
    sleep 0.03
  done
  give_up "no prompt came back"
}

wait_for() {
  local i
  for i in $(seq 400); do
    screen | perl -e 'my $re = shift; while (<STDIN>) { exit 0 if /$re/ } exit 1' "$1" && return 0
    sleep 0.05
  done
  give_up "nothing matched /$1/"
}

grab() { # pane regex -> first group
  screen_of "$1" | perl -e 'my $re = shift; while (<STDIN>) { if (/$re/) { print "$1\n"; exit 0 } } exit 1' "$2"
}

type_line() { # line wait?
  local at
  read -r at _ < <(state)
  tmux -L "$sock" send-keys -t "$target" -l -- "$1" \; send-keys -t "$target" Enter
  [ "$2" = wait ] && wait_prompt "$at"
  return 0
}

wait_prompt -1
while IFS= read -r line; do
  case "$line" in '#'*|'') continue ;; esac
  for v in "${!vars[@]}"; do line=${line//\{\{$v\}\}/${vars[$v]}}; done
  case "$line" in
    '@pane '*)
      target=${line#@pane }
      [ -n "${used[$target]:-}" ] || wait_prompt -1 # its first prompt
      used[$target]=1; continue ;;
    '@nowait '*) type_line "${line#@nowait }" nowait; continue ;;
    '@wait-for '*) wait_for "${line#@wait-for }"; continue ;;
    '@wait-prompt') wait_prompt -1; continue ;;
    '@capture '*)
      read -r name pane re <<< "${line#@capture }"
      vars[$name]=$(grab "$pane" "$re") || give_up "@capture $name: nothing on $pane matches /$re/"
      continue ;;
    '@type-from '*)
      re=${line#@type-from }
      line=$(grab "$target" "$re") || give_up "nothing on the screen matches /$re/" ;;
  esac
  type_line "$line" wait
done < "$session"
sleep 0.3
for t in "${!used[@]}"; do
  if [ "$t" = "$first" ]; then screen_of "$t" > "$out"; else screen_of "$t" > "$out.${t#*:}"; fi
done
