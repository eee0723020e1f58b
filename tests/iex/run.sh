#!/usr/bin/env bash
# run.sh TAPA_IEX WORKDIR — tapa-iex under a real terminal (tmux).
#
# Part 1: the tutorial's session (part1.session) is typed line by line into
# tapa-iex and into a real iex with the tutorial's module (tapa_messages.exs);
# the two screens, pids made patterns (normalize.pl), must be the same.
# Part 2: tapa-iex --name in one pane, a real iex --name in another (part2.sh).
# Where Elixir is missing, the iex side is SKIPPED and says so; tapa-iex's
# own transcript is then compared with the one kept from iex (part1.expected).
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") work=$2 # not realpath: older macOS lacks it
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work" && work=$(cd "$work" && pwd)
command -v tmux >/dev/null || { echo "test-iex: SKIPPED: tmux is not installed (apt-get install tmux)"; exit 0; }
sock="tiex-$$-$RANDOM"
cleanup() { tmux -L "$sock" kill-server 2>/dev/null; }
trap cleanup EXIT
fail=0

# a pane running CMD in a fresh HOME (no history, a cookie of its own)
pane() {
  local name=$1; shift
  if ! tmux -L "$sock" has-session -t t 2>/dev/null; then
    tmux -L "$sock" new-session -d -s t -n "$name" -x 160 -y 50 "$*"
  else
    tmux -L "$sock" new-window -d -t t: -n "$name" "$*"
  fi
  tmux -L "$sock" set-option -t t remain-on-exit on >/dev/null
}

compare() { # what expected got
  if diff -u "$2" "$3" > "$work/$1.diff"; then
    echo "test-iex: $1: same as iex: OK"
  else
    echo "test-iex: $1: differs from iex (- iex, + tapa-iex):"; cat "$work/$1.diff"; fail=1
  fi
}

home="$work/home"; rm -rf "$home"; mkdir -p "$home"
env="env HOME=$home TAPA_FAST=1 TERM=xterm"

# ------------------------------------------------------------------ Part 1
# both panes are typed into at the same time (tmux is slow on a busy machine)
pane tapa "$env $bin --no-history"
"$here/drive.sh" "$sock" t:tapa "$here/part1.session" "$work/part1.tapa.screen" & tapa_job=$!
have_iex=no
if command -v iex >/dev/null; then
  have_iex=yes
  pane iex "cd $work && $env iex $here/tapa_messages.exs"
  "$here/drive.sh" "$sock" t:iex "$here/part1.session" "$work/part1.iex.screen" & iex_job=$!
fi
# Part 2 meanwhile, in panes of its own
"$here/part2.sh" "$bin" "$work" "$sock" > "$work/part2.log" 2>&1 & part2_job=$!
wait $tapa_job || fail=1
"$here/normalize.pl" "$work/part1.tapa.screen" > "$work/part1.tapa"
if [ $have_iex = yes ]; then
  if wait $iex_job; then
    "$here/normalize.pl" "$work/part1.iex.screen" > "$work/part1.iex"
    compare part1 "$work/part1.iex" "$work/part1.tapa"
    cp "$work/part1.iex" "$work/part1.expected.new" # to refresh tests/iex/part1.expected
  else
    fail=1
  fi
else
  echo "test-iex: part1: iex SKIPPED (Elixir is not installed; apt-get install elixir);" \
       "compared with the kept transcript of iex"
  compare part1 "$here/part1.expected" "$work/part1.tapa"
fi

# ------------------------------------------------------------------ Part 2
wait $part2_job || fail=1
cat "$work/part2.log"
"$here/terminal.sh" "$bin" "$work" "$sock" || fail=1

[ $fail -eq 0 ] && echo "test-iex: all green" || { echo "test-iex: FAILED (screens in $work)"; exit 1; }
