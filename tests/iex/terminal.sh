#!/usr/bin/env bash
# terminal.sh TAPA_IEX WORKDIR SOCKET — what a terminal user expects of
# tapa-iex: Tab completes the shell's functions and bound names, Ctrl-C stops
# a running expression (the shell goes on in a new process), Ctrl-C twice at
# the prompt leaves, and the history is there in the next session (Up).
set -u
bin=$1 work=$2 sock=$3
home="$work/home-term"; rm -rf "$home"; mkdir -p "$home"
cmd="env HOME=$home TERM=xterm $bin"
tmux -L "$sock" new-window -d -t t: -n term "$cmd"
tmux -L "$sock" set-option -w -t t:term remain-on-exit on >/dev/null # to see that it left
fail=0
k() { tmux -L "$sock" send-keys -t t:term "$@"; }
screen() { tmux -L "$sock" capture-pane -p -J -S - -t t:term 2>/dev/null; }
wait_for() { # regex [seconds]
  local i
  for i in $(seq $(( ${2:-15} * 20 ))); do
    screen | grep -qE "$1" && return 0
    sleep 0.05
  done
  return 1
}
check() { # what regex
  if wait_for "$2"; then echo "test-iex: terminal: $1: OK"
  else echo "test-iex: terminal: $1: MISSING /$2/; the screen:"; screen | grep -v '^$' | tail -8; fail=1; fi
}
check "a prompt" '^iex\(1\)> $'
k -l 'my_value = 41' \; send-keys -t t:term Enter
check "a binding" '^41$'
k -l 'my_v' \; send-keys -t t:term Tab \; send-keys -t t:term -l ' + 1' \; send-keys -t t:term Enter
check "Tab completes a bound name" '^iex\(2\)> my_value \+ 1$'
check "... and it evaluates" '^42$'
k -l 'Process.sl' \; send-keys -t t:term Tab \; send-keys -t t:term -l '(60000)' \; send-keys -t t:term Enter
check "Tab completes a shell function" '^iex\(3\)> Process\.sleep\(60000\)$'
sleep 0.3
k C-c
check "Ctrl-C stops the running expression" 'shell process exited with reason: killed$'
check "... and a new prompt comes" '^iex\(1\)> $'
k -l 'self()' \; send-keys -t t:term Enter
check "the shell goes on" '^#PID<0\.[0-9]+\.0>$'
k C-c; sleep 0.3; k C-c
sleep 0.5
if [ "$(tmux -L "$sock" display-message -p -t t:term '#{pane_dead}' 2>/dev/null)" = 1 ]; then
  echo "test-iex: terminal: Ctrl-C twice at the prompt leaves: OK"
else
  echo "test-iex: terminal: Ctrl-C twice at the prompt did not leave"; fail=1
fi
tmux -L "$sock" kill-window -t t:term 2>/dev/null
tmux -L "$sock" new-window -d -t t: -n term "$cmd"
check "a second session" '^iex\(1\)> $'
k Up \; send-keys -t t:term Up # self(), then the line before it
check "its history has the last session's lines (Up)" '^iex\(1\)> Process\.sleep\(60000\)$'
k C-u C-d
exit $fail
