#!/bin/sh
# run-blocks.sh — the lessons' code, checked: every C block of lessons/*.md
# is compiled against the runtime; {.c .run} blocks are run and their output
# compared with the lesson's ```output block; charts named by the blocks
# (and by tools/site/charts.txt, from the solutions) are drawn from the runs.
#
#   tools/site/run-blocks.sh OUT_DIR CHART_DIR
#
# Environment (make passes it): CC, TAPA_CFLAGS, TAPA_LIB, TAPA_LIBS,
# TAPA_BIN (build/bin: tapa-chart, tapa-node). POSIX sh and awk only.
#
# Part 2 blocks say peer="node1@127.0.0.1": a tapa-node runs as that node
# while the program runs, and its OS pid is in TAPA_PEER_OSPID. Every node
# name nodeN@127.0.0.1 of such a run is renamed nodeN_t<pid>@127.0.0.1 (in
# the source, and back in the output and traces), so that runs never clash
# with each other or with nodes a learner has running.
set -u
job=
if [ "${1:-}" = --job ]; then
    job=1
    shift
fi
out=${1:?usage: run-blocks.sh OUT_DIR CHART_DIR}
charts=${2:?usage: run-blocks.sh OUT_DIR CHART_DIR}
mkdir -p "$out" "$charts" && out=$(cd "$out" && pwd) && charts=$(cd "$charts" && pwd) || exit 1
here=$(cd "$(dirname "$0")" && pwd)
WITH_TIMEOUT=$here/../with-timeout.sh # not GNU timeout: macOS has none
kit=$(cd "$here/../.." && pwd)
: "${CC:=cc}" "${TAPA_CFLAGS:=-std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes}"
: "${TAPA_LIB:=$kit/build/release/lib/libtapa.a}" "${TAPA_LIBS:=-luv -lcrypto -lz -lm -lpthread}"
: "${TAPA_BIN:=$kit/build/bin}"
# libtapa.a may hold fat LTO objects: linking them without LTO is 20x faster
if [ -z "${TAPA_LINK_FLAGS+set}" ]; then
    TAPA_LINK_FLAGS=
    echo "int main(void){return 0;}" | $CC -fno-lto -x c - -o /dev/null 2>/dev/null && TAPA_LINK_FLAGS=-fno-lto
fi
export CC TAPA_CFLAGS TAPA_LIB TAPA_LIBS TAPA_BIN
export TAPA_LINK_FLAGS

# ---------------------------------------------------------------- one job --
# run-blocks.sh --job OUT CHARTS KIND LESSON N MDLINE FROM CHART PEER LABELS RUNS
if [ -n "$job" ]; then
    shift 2
    kind=$1 lesson=$2 n=$3 line=$4 from=$5 chart=$6 peer=$7 labels=$8 runs=${9:-}
    cd "$kit" || exit 1
    src=$out/blocks/$lesson-$n.c
    where="lessons/$lesson.md:$line"
    work=$out/run/$lesson-$n
    rm -rf "$work" && mkdir -p "$work"
    inc="-I$kit/runtime/include -I$kit/exercises"
    fail() { echo "FAIL $where: $*"; exit 1; }
    # shellcheck disable=SC2086
    case $kind in
    from)
        [ -f "$from" ] || fail "from=\"$from\": no such file"
        awk 'FNR == NR { want[++n] = $0; next }
             { have[++m] = $0 }
             END { for (i = 1; i + n - 1 <= m; i++) { for (j = 1; j <= n && have[i + j - 1] == want[j]; j++); if (j > n) exit 0 }
                   exit 1 }' "$src" "$from" ||
            fail "this block is no longer in $from (copy the current code into the lesson; when only its layout changed, make format does it)"
        $CC $TAPA_CFLAGS $inc -Werror -c "$from" -o "$work/from.o" 2>"$work/cc.err" ||
            fail "$from does not compile: $(head -5 "$work/cc.err")"
        ;;
    plain)
        { echo '#include "course.h"'; echo "#line $line \"lessons/$lesson.md\""; cat "$src"; } >"$work/block.c"
        $CC $TAPA_CFLAGS $inc -Werror -Wno-unused-function -c "$work/block.c" -o "$work/block.o" \
            2>"$work/cc.err" || fail "does not compile:
$(head -20 "$work/cc.err")"
        ;;
    run)
        tag=_t$$
        { echo "#line $line \"lessons/$lesson.md\""; sed "s/\(node[0-9]\)@127\.0\.0\.1/\1$tag@127.0.0.1/g" "$src"; } \
            >"$work/prog.c"
        $CC $TAPA_CFLAGS $inc -Werror "$work/prog.c" -o "$work/prog" "$TAPA_LIB" $TAPA_LIBS $TAPA_LINK_FLAGS 2>"$work/cc.err" ||
            fail "does not compile:
$(head -20 "$work/cc.err")"
        [ -f "$out/blocks/$lesson-$n.expected" ] || fail "a {.c .run} block needs an \`\`\`output block after it"
        peerpid=
        start_peer() {
            [ -n "$peer" ] || return 0
            pname=$(echo "$peer" | sed "s/\(node[0-9]\)@/\1$tag@/")
            TAPA_TRACE="$work/$1.peer.trace" "$TAPA_BIN/tapa-node" --name "$pname" --cookie tapas \
                >"$work/$1.peer.out" 2>&1 &
            peerpid=$!
            i=0
            until grep -q "is up" "$work/$1.peer.out" 2>/dev/null; do
                i=$((i + 1))
                [ $i -gt 100 ] && fail "tapa-node $pname did not start: $(cat "$work/$1.peer.out")"
                sleep 0.05
            done
        }
        stop_peer() {
            [ -n "$peerpid" ] || return 0
            kill -CONT "$peerpid" 2>/dev/null
            kill -TERM "$peerpid" 2>/dev/null
            wait "$peerpid" 2>/dev/null
            peerpid=
        }
        back() { sed "s/\(node[0-9]\)$tag@/\1@/g"; }
        # run NAME ARGS...: the program, traced, with its peer
        run() {
            name=$1
            shift
            start_peer "$name"
            TAPA_FAST=1 TAPA_PEER_OSPID=${peerpid:-} TAPA_TRACE="$work/$name.trace" \
                "$WITH_TIMEOUT" 30 "$work/prog" "$@" >"$work/$name.out.raw" 2>"$work/$name.err"
            rc=$?
            stop_peer
            back <"$work/$name.out.raw" >"$work/$name.out"
            for t in "$work/$name.trace" "$work/$name.peer.trace"; do
                [ -f "$t" ] && back <"$t" >"$t.tmp" && mv "$t.tmp" "$t"
            done
            # the peer's trace ends where it lost node2: after that, the
            # harness stops tapa-node, which the lesson does not show
            if [ -f "$work/$name.peer.trace" ]; then
                awk -F '\t' '{ print } $2 == "nodedown" { exit }' "$work/$name.peer.trace" >"$work/$name.peer.tmp" &&
                    mv "$work/$name.peer.tmp" "$work/$name.peer.trace"
            fi
            return $rc
        }
        draw() { # draw CHART-NAME RUN-NAME TITLE
            set -- "$1" "$2" "$3"
            traces=$work/$2.trace
            [ -s "$work/$2.peer.trace" ] && traces="$traces $work/$2.peer.trace"
            oldifs=$IFS
            IFS=';'
            set -f
            largs=
            for l in $labels; do largs="$largs -l '$l'"; done
            IFS=$oldifs
            # shellcheck disable=SC2086
            eval "\"$TAPA_BIN/tapa-chart\" -o \"$charts/$1.svg\" -t \"\$3\" $largs $traces" ||
                fail "tapa-chart failed on $traces"
            set +f
        }
        run main || fail "the program exited with status $rc:
$(tail -5 "$work/main.err")"
        awk -f "$here/match-output.awk" "$out/blocks/$lesson-$n.expected" "$work/main.out" >"$work/diff" ||
            fail "the output drifted from the lesson's:
$(cat "$work/diff")"
        # a chart's title: the step and the heading the block is under
        heading=$(awk -v l="$line" 'NR < l && /^#+ / { h = $0 } END { sub(/^#+ /, "", h); gsub(/`/, "", h); print h }' \
            "lessons/$lesson.md")
        step=$(echo "$lesson" | sed 's/^0*\([0-9]*[a-z]*\)_.*/\1/')
        [ -n "$chart" ] && draw "$chart" main "Step $step: $heading"
        if [ -n "$runs" ]; then
            oldifs=$IFS
            IFS=';'
            for r in $runs; do
                IFS=$oldifs
                # NAME:ARGS[:TITLE]
                cname=${r%%:*} crest=${r#*:}
                cargs=${crest%%:*} ctitle=${crest#*:}
                [ "$ctitle" = "$crest" ] && ctitle="a run with: $cargs"
                # shellcheck disable=SC2086
                run "$cname" $cargs || fail "the run '$cargs' exited with status $rc"
                draw "$cname" "$cname" "Step $step: $ctitle"
                IFS=';'
            done
            IFS=$oldifs
        fi
        ;;
    solution) # a chart from a solution's run: FROM is the file, LESSON the chart,
        # CHART its title, PEER the labels, RUNS the other node (charts.txt's
        # 5th field): empty, tapa-node or peer.c
        $CC $TAPA_CFLAGS $inc -Werror "$from" -o "$work/prog" "$TAPA_LIB" $TAPA_LIBS $TAPA_LINK_FLAGS 2>"$work/cc.err" ||
            fail "$from does not compile"
        labels=$peer other=$runs
        traces=$work/run.trace
        if [ -z "$other" ]; then
            TAPA_FAST=1 TAPA_TRACE="$work/run.trace" "$WITH_TIMEOUT" 30 "$work/prog" >"$work/run.out" 2>&1 ||
                fail "$from exited with status $?"
        else
            # Part 2: the solution is one node, the other runs beside it as
            # the grader runs it (tools/grade/pair.c), with names and a
            # cookie of this run's own; both write a trace.
            tag=_t$$
            TAPA_NODE1=node1$tag@127.0.0.1 TAPA_NODE2=node2$tag@127.0.0.1 TAPA_COOKIE=tapas$tag TAPA_FAST=1
            export TAPA_NODE1 TAPA_NODE2 TAPA_COOKIE TAPA_FAST
            case $other in
            tapa-node) # node1: build/bin/tapa-node, stopped with SIGTERM after the run
                TAPA_TRACE="$work/peer.trace" "$WITH_TIMEOUT" 30 "$TAPA_BIN/tapa-node" --name "$TAPA_NODE1" \
                    --cookie "$TAPA_COOKIE" >"$work/peer.out" 2>&1 &
                ready="is up" ;;
            peer.c) # the grader's C peer (tests/course/peer.c) for this step; it
                # judges when its stdin (a fifo here) closes, after the run.
                # TAPA_SEED=559: in step 13 it sends add_42, as the lesson does.
                $CC $TAPA_CFLAGS $inc tests/course/peer.c -o "$work/peer" "$TAPA_LIB" $TAPA_LIBS $TAPA_LINK_FLAGS \
                    2>"$work/cc.err" || fail "tests/course/peer.c does not compile: $(head -5 "$work/cc.err")"
                mkfifo "$work/peer.in" || fail "mkfifo failed"
                TAPA_STEP=$(basename "$from" | cut -c1-2) TAPA_SEED=559 TAPA_LEARNER_OUT="$work/run.raw" \
                    TAPA_TRACE="$work/peer.trace" "$WITH_TIMEOUT" 30 "$work/peer" <"$work/peer.in" >"$work/peer.out" 2>&1 &
                exec 3>"$work/peer.in"
                ready=@ready ;;
            *) fail "charts.txt: the other node is tapa-node or peer.c, not '$other'" ;;
            esac
            peerpid=$!
            i=0
            until grep -q "$ready" "$work/peer.out" 2>/dev/null; do
                i=$((i + 1))
                [ $i -gt 200 ] && fail "the other node ($other) did not start: $(cat "$work/peer.out")"
                sleep 0.02
            done
            TAPA_TRACE="$work/run.trace" "$WITH_TIMEOUT" 30 "$work/prog" >"$work/run.raw" 2>&1 3>&-
            rc=$?
            if [ "$other" = peer.c ]; then exec 3>&-; else kill -TERM "$peerpid" 2>/dev/null; fi
            wait "$peerpid"
            [ $rc = 0 ] || fail "$from exited with status $rc: $(tail -5 "$work/run.raw")"
            grep '^@fail' "$work/peer.out" && fail "the grader's check failed on $from's run"
            # back to the lesson's names; leave out the other node's own
            # machinery, which the lesson does not show: the processes it
            # starts before any connection (peer.c: net and its stdin watcher;
            # tapa-node: echo) and their messages; peer.c's :tapa_peer name,
            # its repeats of a send (it sends every 50 ms until answered) and
            # its end (:learner_done); tapa-node's exit once stopped.
            back() { sed "s/\(node[0-9]\)$tag@/\1@/g"; }
            back <"$work/run.raw" >"$work/run.out"
            back <"$work/run.trace" >"$work/run.trace.tmp" && mv "$work/run.trace.tmp" "$work/run.trace"
            back <"$work/peer.trace" | awk -F '\t' -v other="$other" '
                $2 == "spawn" && $3 == "#PID<0.100.0>" && !up { helper[$4] = 1 }
                $2 == "nodeup" { up = 1 }
                $3 in helper || $4 in helper { next }
                other == "peer.c" && $5 == ":learner_done" { exit }
                other == "peer.c" && $5 == ":tapa_peer" { next }
                other == "peer.c" && $2 == "send" && sent[$3 FS $4 FS $5]++ { next }
                { print }
                other == "tapa-node" && $2 == "nodedown" { exit }' >"$work/peer.trace.tidy"
            traces="$traces $work/peer.trace.tidy"
        fi
        oldifs=$IFS
        IFS=';'
        set -f
        largs=
        for l in $labels; do largs="$largs -l '$l'"; done
        IFS=$oldifs
        eval "\"$TAPA_BIN/tapa-chart\" -o \"$charts/$lesson.svg\" -t \"\$chart\" $largs $traces" ||
            fail "tapa-chart failed"
        ;;
    esac
    exit 0
fi

# ----------------------------------------------------------------- driver --
cd "$kit" || exit 1
rm -rf "$out/blocks" && mkdir -p "$out/blocks" "$charts"
awk -v dir="$out/blocks" -f "$here/extract-blocks.awk" lessons/*.md || exit 1
jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null || echo 4) # getconf: POSIX, on macOS too
{
    # lesson blocks
    awk -F '\t' '{ printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", $3, $1, $2, $4, $5, $6, $7, $8, $9 }' \
        "$out/blocks/manifest"
    # solution charts: NAME|SOURCE|TITLE|LABELS
    grep -v '^#' "$here/charts.txt" | grep . | awk -F '|' \
        '{ printf "solution\t%s\t0\t0\t%s\t%s\t%s\t\t%s\n", $1, $2, $3, $4, $5 }'
} >"$out/jobs"
count=$(wc -l <"$out/jobs")
# one job per line, in parallel; each prints FAIL ... when it fails
tr '\t' '\037' <"$out/jobs" |
    awk -v sh="$0" -v out="$out" -v charts="$charts" 'BEGIN { FS = "\037" }
        { line = "--job \"" out "\" \"" charts "\""
          for (i = 1; i <= 9; i++) { f = $i; gsub(/"/, "\\\"", f); line = line " \"" f "\"" }
          print line }' |
    xargs -P "$jobs" -L 1 sh "$0" >"$out/results" 2>&1
if grep -q '^FAIL' "$out/results"; then
    cat "$out/results"
    echo "lessons: $(grep -c '^FAIL' "$out/results") of $count code blocks and charts FAILED"
    exit 1
fi
[ -s "$out/results" ] && cat "$out/results"
echo "lessons: $count code blocks and charts checked (compiled, run, output compared, charts drawn)"
