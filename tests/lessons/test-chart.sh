#!/bin/sh
# test-chart.sh — tapa-chart on small hand-made traces (tests/lessons/traces):
# every kind of event is drawn, and two nodes' traces merge into one chart
# where the same process is one column and the message crosses between them.
set -u
chart=${1:?usage: test-chart.sh TAPA_CHART WORK_DIR}
work=${2:?usage: test-chart.sh TAPA_CHART WORK_DIR}
traces=$(dirname "$0")/traces
mkdir -p "$work"
fails=0
expect() { # expect FILE WHAT PATTERN [COUNT]
    n=$(grep -c -- "$3" "$1")
    if [ "${4:-}" ] && [ "$n" -ne "$4" ] || [ -z "${4:-}" ] && [ "$n" -eq 0 ]; then
        echo "chart test: FAIL: $2 (pattern '$3' found $n times in $1)"
        fails=$((fails + 1))
    fi
}
"$chart" -t local -l '<0.100.0>=shell' -o "$work/local.svg" "$traces/local.trace" || exit 1
s=$work/local.svg
expect "$s" "three columns" 'class="head"' 3
expect "$s" "the label" '>shell<'
expect "$s" "spawn_link drawn as one" '>spawn_link<'
expect "$s" "an exit signal, dashed" 'class="sig"'
expect "$s" "the trap diamond and the message" 'trap_exit: now a message {:EXIT, #PID&lt;0.101.0&gt;, :boom}'
expect "$s" "a monitor" '>monitor<'
expect "$s" "the DOWN arrow" 'DOWN :normal'
expect "$s" "a death with its reason" 'exits :boom'
expect "$s" "a message nobody took" 'stays in the mailbox'
# nothing cut off on the right: every text that starts at x (text-anchor
# start) ends inside the picture (12px monospace: 7.2px a character), and
# so does the title (15px bold sans, at most 9px a character); step 7's
# "trap_exit: now a message {...}" right of the last column was the case
fits() { # fits SVG WHAT
    awk -v what="$2" '
        /^<svg / { match($0, /width="[0-9]+"/); w = substr($0, RSTART + 7, RLENGTH - 8) + 0 }
        /^<text / && !/text-anchor=/ {
            match($0, / x="[0-9]+"/); x = substr($0, RSTART + 4, RLENGTH - 5) + 0
            t = $0; sub(/^<text[^>]*>/, "", t); sub(/<\/text>$/, "", t)
            gsub(/&lt;|&gt;|&amp;|&quot;/, "_", t); gsub(/\342\200\246/, "_", t)
            cw = /class="title"/ ? 9 : 7.2
            if (match($0, /font-size:[0-9.]+px/)) cw = 7.2 * substr($0, RSTART + 10, RLENGTH - 12) / 12
            if (x + length(t) * cw > w) { printf "%s: \"%s\" ends at %d, the picture at %d\n", what, t, x + length(t) * cw, w; bad = 1 }
        }
        END { exit bad }' "$1" || { echo "chart test: FAIL: $2 (text cut off on the right)"; fails=$((fails + 1)); }
}
fits "$s" "the labels right of the last column"
"$chart" -t "$(printf 'a long title, %.0s' 1 2 3 4 5 6 7 8 9 10 11 12)" -o "$work/title.svg" "$traces/local.trace" || exit 1
fits "$work/title.svg" "a title wider than the columns"
"$chart" -o "$work/nodes.svg" "$traces/node_a.trace" "$traces/node_b.trace" || exit 1
s=$work/nodes.svg
expect "$s" "two node groups" 'class="group"' 2
expect "$s" "one column per process across nodes" 'class="head"' 2
expect "$s" "the registered name" 'registered as :repl'
expect "$s" "connections made" 'connected to ' 2
expect "$s" "a connection lost, with why" 'lost b@127.0.0.1: connection closed'
expect "$s" "the message crossing the nodes, received (no envelope)" 'stays in the mailbox' 0
expect "$s" "no stray receive" 'receives ' 0
# the SVG is well-formed enough for a browser: one root, closed
expect "$s" "a closed svg" '^</svg>$' 1
[ $fails = 0 ] || exit 1
echo "chart test: tapa-chart draws every kind of event and merges two nodes' traces"
