#!/usr/bin/env bash
# part2.sh TAPA_IEX WORKDIR SOCKET — the tutorial's Part 2: tapa-iex --name
# in one tmux pane, a real iex --name in another (part2.session.in), then
# what each terminal must show. Node names are unique per run.
set -u
bin=$1 work=$2 sock=$3
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v iex >/dev/null; then
  echo "test-iex: part2: SKIPPED: Elixir is not installed (apt-get install elixir; CI installs it)"
  exit 0
fi
tag="$$$RANDOM"
node1="tiex1-$tag@127.0.0.1" node2="tiex2-$tag@127.0.0.1" cookie="tiex-$tag"
home="$work/home2"; rm -rf "$home"; mkdir -p "$home"
env="env HOME=$home TERM=xterm"
sed -e "s/NODE1/$node1/g" -e "s/NODE2/$node2/g" "$here/part2.session.in" > "$work/part2.session"
tmux -L "$sock" new-window -d -t t: -n n1 "$env $bin --no-history --name $node1 --cookie $cookie"
tmux -L "$sock" new-window -d -t t: -n n2 "cd $work && $env iex --name $node2 --cookie $cookie"
# no sed -i: its argument differs between GNU and BSD (macOS) sed
sed -e 's/^@pane t:tapa$/@pane t:n1/' -e 's/^@pane t:iex$/@pane t:n2/' \
    -e 's/@capture \([a-z]*\) t:iex /@capture \1 t:n2 /' -e 's/@capture \([a-z]*\) t:tapa /@capture \1 t:n1 /' \
    "$work/part2.session" >"$work/part2.session.new" && mv "$work/part2.session.new" "$work/part2.session"
"$here/drive.sh" "$sock" t:n1 "$work/part2.session" "$work/part2.tapa.screen" || exit 1
mv "$work/part2.tapa.screen.n2" "$work/part2.iex.screen"
tmux -L "$sock" kill-window -t t:n1 2>/dev/null; tmux -L "$sock" kill-window -t t:n2 2>/dev/null

fail=0
expect() { # screen what regex
  if perl -e 'my $re = shift; while (<STDIN>) { exit 0 if /$re/ } exit 1' "$3" < "$work/part2.$1.screen"; then
    echo "test-iex: part2: $1: $2: OK"
  else
    echo "test-iex: part2: $1: $2: MISSING (/$3/ in $work/part2.$1.screen)"; fail=1
  fi
}
q1=$(printf '%s' "$node1" | sed 's/[.]/\\./g') q2=$(printf '%s' "$node2" | sed 's/[.]/\\./g')
expect tapa "the prompt shows the node" "^iex\\($q1\\)1> Node\\.self\\(\\)"
expect tapa "Node.self() is the node" "^:\"$q1\"\$"
expect tapa "connected to node2 after its ping" "^\\[:\"$q2\"\\]\$"
expect tapa "send to a registered name on node2 returns the message" '^\{:hello_from, #PID<0\.\d+\.0>\}$'
expect iex "node2 pings the C node" '^:pong$'
expect iex "node2 receives, with the global pid of the C shell" '^Received: \{:hello_from, #PID<[1-9]\d*\.\d+\.0>\}$'
expect tapa "the C shell receives by its registered name, with node2's global pid" '^Received: \{:hello_back_by_name, #PID<[1-9]\d*\.\d+\.0>\}$'
expect tapa "the C shell receives at the pid node2 rebuilt with list_to_pid" '^Received: \{:hello_back, 42\}$'
expect iex "node2 gets what the C shell sent to its list_to_pid'd pid" '^\{:hello_from_c, 7\}$'
expect tapa "Node.spawn on node2: its output in the caller's terminal" '^hello from a process on node2$'
expect tapa ":rpc.call runs on node2" "^:\"$q2\"\$"
expect iex "Node.spawn from node2 onto the C node returns a pid of it" '^#PID<[1-9]\d*\.\d+\.0>$'
expect iex ":rpc.call from node2 runs on the C node" "^:\"$q1\"\$"
# whoami prints its own (C node local) pid; the text goes to the caller's
# group leader, so it shows in node2's iex, as on BEAM
expect iex "the remote spawn ran on the C node, its output at the caller (group leader)" 'pid: #PID<0\.\d+\.0>$'
expect tapa "Process.exit(self(), :kill) ends the shell's process" '^\*\* \(EXIT from #PID<0\.\d+\.0>\) shell process exited with reason: killed$'
tail_ok=$(grep -v '^$' "$work/part2.tapa.screen" | tail -3 | head -2 | tr '\n' ' ')
if [[ $tail_ok =~ ^iex\($q1\)1\>\ Node\.self\(\)\ :\"$q1\"\ $ ]]; then
  echo "test-iex: part2: tapa: a new shell process, same node: OK"
else
  echo "test-iex: part2: tapa: a new shell process, same node: MISSING (the end of $work/part2.tapa.screen: $tail_ok)"; fail=1
fi
exit $fail
