#!/bin/sh
# test-chart.sh — tapa-chart on small traces (tests/lessons/traces; the
# ping_* and killed_* ones are real runs of steps 9 and 14): every kind of
# event is drawn, two nodes' traces merge into one chart where the same
# process is one column, both nodes get their box even when one shows no
# process, a Node.ping is one exchange, a killed node's processes end, and no
# label is cut short or leaves its node's box. Given the site's charts
# directory, the same label checks run on every chart of the site.
set -u
chart=${1:?usage: test-chart.sh TAPA_CHART WORK_DIR [SITE_CHARTS_DIR]}
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
# Nothing cut short and nothing outside its node: no "…" anywhere (labels
# wrap instead), and every label that starts inside a node's box ends inside
# it (the same character widths as fits). Well-formed XML, where xmllint is.
inside() { # inside SVG WHAT
    if grep -q "$(printf '\342\200\246')" "$1"; then
        echo "chart test: FAIL: $2 (a label cut short with …)"; fails=$((fails + 1))
    fi
    if command -v xmllint >/dev/null 2>&1 && ! xmllint --noout "$1" 2>/dev/null; then
        echo "chart test: FAIL: $2 (not well-formed XML)"; fails=$((fails + 1))
    fi
    awk -v what="$2" '
        function num(s, name) { if (!match(s, " " name "=\"[-0-9.]+\"")) return -1; return substr(s, RSTART + length(name) + 3, RLENGTH - length(name) - 4) + 0 }
        /^<rect class="group"/ { gx[++ng] = num($0, "x"); gw[ng] = num($0, "width") }
        /^<text / && !/class="(time|title|gname|legend|l-msg|l-spawn|l-mon|l-link|l-unlink)"/ && !/class="l-sig"[^>]*text-anchor/ {
            x = num($0, "x")
            t = $0; sub(/^<text[^>]*>/, "", t); sub(/<\/text>$/, "", t)
            gsub(/&lt;|&gt;|&amp;|&quot;/, "_", t)
            cw = 7.2
            if (match($0, /font-size:[0-9.]+px/)) cw = 7.2 * substr($0, RSTART + 10, RLENGTH - 12) / 12
            w = length(t) * cw
            lo = x; hi = x + w
            if ($0 ~ /text-anchor="middle"/) { lo = x - w / 2; hi = x + w / 2 }
            if ($0 ~ /text-anchor="end"/) { lo = x - w; hi = x }
            for (g = 1; g <= ng; g++)
                if (x >= gx[g] && x <= gx[g] + gw[g] && (lo < gx[g] - 1 || hi > gx[g] + gw[g] + 1)) {
                    printf "%s: \"%s\" spans %d-%d, its node box %d-%d\n", what, t, lo, hi, gx[g], gx[g] + gw[g]; bad = 1
                }
        }
        END { exit bad }' "$1" || { echo "chart test: FAIL: $2 (a label leaves its node's box)"; fails=$((fails + 1)); }
}
inside "$work/local.svg" "the one-node chart"
inside "$work/nodes.svg" "the two-node chart"
# A spawn_link is drawn as the legend draws a link: a double line.
expect "$work/local.svg" "spawn_link as a double line (two link lines outside the legend)" '^<line class="link"' 2
# Step 9's run: node1 (tapa-node) shows no process, yet both nodes get their
# column, each connection event is drawn in the node that saw it, and the
# ping is one exchange (Node.ping there, :pong back), not net_kernel's
# {ref, :yes}; node2's own stop is not "lost node1".
"$chart" -o "$work/ping.svg" "$traces/ping_node2.trace" "$traces/ping_node1.trace" || exit 1
s=$work/ping.svg
inside "$s" "the ping chart"
expect "$s" "both nodes' boxes" 'class="group"' 2
expect "$s" "a column in each node" 'class="head"\|class="lanehead"' 2
expect "$s" "the ping" '>Node.ping<' 1
expect "$s" "its pong" '>:pong<' 1
expect "$s" "the failed ping" 'Node.ping: :pang' 1
expect "$s" "no protocol reply drawn" 'Reference' 0
expect "$s" "node2 stops (not: lost node1)" 'stops; disconnects' 1
expect "$s" "node2 stops (not: lost node1)" 'lost node1' 0
# each band lies in the box of the node whose trace has the event
awk '
    function num(s, name) { if (!match(s, " " name "=\"[-0-9.]+\"")) return -1; return substr(s, RSTART + length(name) + 3, RLENGTH - length(name) - 4) + 0 }
    /^<rect class="group"/ { gx[++ng] = num($0, "x"); gw[ng] = num($0, "width") }
    /^<text class="gname"/ { gname[ng] = $0 }
    /^<rect class="band-/ { bx = num($0, "x") }
    /^<text class="l-(up|down)"/ {
        for (g = 1; g <= ng; g++) if (bx >= gx[g] && bx <= gx[g] + gw[g]) box = gname[g]
        if ($0 ~ /connected to node1/ && box !~ /node2@/) bad = 1
        if ($0 ~ /connected to node2/ && box !~ /node1@/) bad = 1
        if ($0 ~ /lost node2/ && box !~ /node1@/) bad = 1
    }
    END { exit bad }' "$s" || { echo "chart test: FAIL: a connection event drawn in the other node's box ($s)"; fails=$((fails + 1)); }
# Step 14's killed peer: node1's trace just stops. Its processes end, killed;
# the :noconnection signal starts at node2's edge, not at the remote process.
"$chart" -o "$work/killed.svg" "$traces/killed_node2.trace" "$traces/killed_node1.trace" || exit 1
s=$work/killed.svg
inside "$s" "the killed-peer chart"
expect "$s" "node1 killed" 'node1@127.0.0.1 killed'
expect "$s" "its processes end" 'class="death"' 4
expect "$s" "the signal from the lost connection" 'lost connection<' 1
# Step 10's run, whose node2 noted the connection 13 ms before it handled
# the message: aligned on that moment, node1's receive of {:hello_back, 42}
# would come before node2 sent it, and node1's exit with it. A message is
# received after it is sent, and a node's events keep their order.
"$chart" -o "$work/skew.svg" "$traces/skew_node1.trace" "$traces/skew_node2.trace" || exit 1
s=$work/skew.svg
expect "$s" "the name resolved: no message stays in node1's mailbox" 'stays in the mailbox' 0
awk '/>\{:hello_back, 42\}</ && !back { back = NR } /exits :normal/ && !ex { ex = NR }
     END { exit !(back && ex && back < ex) }' "$s" ||
    { echo "chart test: FAIL: node1 exits before it receives the answer ($s)"; fails=$((fails + 1)); }
# Step 14's monitored remote process: node2's {:DOWN, ...} comes after the
# process's exit on node1, whatever the clocks say.
"$chart" -o "$work/down.svg" "$traces/down_node2.trace" "$traces/down_node1.trace" || exit 1
awk '/exits :normal/ && !ex { ex = NR } />receives \{:DOWN,/ && !down { down = NR }
     END { exit !(ex && down && ex < down) }' "$work/down.svg" ||
    { echo "chart test: FAIL: the DOWN arrives before the remote process exits ($work/down.svg)"; fails=$((fails + 1)); }
# A trace that is not one (garbage, missing fields, huge numbers, a 6000-
# character term, the same file twice): warnings, and still a chart.
if "$chart" -o "$work/hostile.svg" "$traces/hostile.trace" "$traces/hostile.trace" 2>"$work/hostile.err"; then
    expect "$work/hostile.svg" "a chart of a hostile trace, closed" '^</svg>$' 1
    expect "$work/hostile.err" "a warning for a line that is no event" 'not a trace event, skipped'
else
    echo "chart test: FAIL: tapa-chart failed on a hostile trace: $(tail -3 "$work/hostile.err")"
    fails=$((fails + 1))
fi
# The site's own charts (make lessons), when given: every chart keeps its
# labels whole and inside their node, and every chart of a Part 2 run
# (steps 09-14) shows both nodes.
site_charts=0
if [ -n "${3:-}" ]; then
    for s in "$3"/*.svg; do
        [ -f "$s" ] || continue
        site_charts=$((site_charts + 1))
        inside "$s" "$(basename "$s")"
        case $(basename "$s") in
        09_* | 1[0-4]_* | 1[0-4]-*) expect "$s" "$(basename "$s"): both nodes side by side" 'class="group"' 2 ;;
        esac
    done
fi
[ $fails = 0 ] || exit 1
echo "chart test: tapa-chart draws every kind of event, two nodes side by side, pings, a killed node; no label cut or outside its node${3:+ (and $site_charts charts of the site)}"
