#!/usr/bin/env bash
# interop.sh — C nodes against real erl nodes and against each other, on
# 127.0.0.1 only. Every node here is started with a timeout and killed on
# exit, so the suite ends by itself (well under a minute).
#
#   tests/interop/interop.sh DRIVER BIN_DIR
set -u
# the kit's own timeout (GNU timeout is not on macOS)
WITH_TIMEOUT=$(cd "$(dirname "$0")/../../tools" && pwd)/with-timeout.sh
DRIVER=${1:?driver}
BIN=${2:?bin dir}
TAPA_NODE=$BIN/tapa-node
export TAPA_EPMD=$BIN/tapa-epmd

if ! command -v erl >/dev/null 2>&1; then
    echo "interop: SKIPPED: erl is not installed (apt-get install erlang-base runs these tests)"
    exit 0
fi

WORK=$(mktemp -d /tmp/tapa-interop.XXXXXX)
COOKIE=interop$$
TAG=$$
PIDS=()
FAILS=0
PASSES=0
cleanup() {
    # each pid is a `timeout` whose child is the node: stop both
    for p in "${PIDS[@]}"; do
        for c in $(pgrep -P "$p") "$p"; do kill -CONT "$c" 2>/dev/null; kill -9 "$c" 2>/dev/null; done
    done
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf 'interop: %s\n' "$*"; }
pass() { PASSES=$((PASSES + 1)); }
fail() { FAILS=$((FAILS + 1)); say "FAIL $*"; }

# Wait until file $1 contains $2 (up to $3 tenths of a second).
wait_for() {
    local i
    for ((i = 0; i < $3; i++)); do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# Count the driver's "ok"/"FAIL" lines.
tally() {
    local out=$1 label=$2
    local oks fails
    oks=$(grep -c '^ok ' "$out")
    fails=$(grep -c '^FAIL' "$out")
    PASSES=$((PASSES + oks))
    if [ "$fails" -gt 0 ] || ! grep -q 'driver done: 0 failure' "$out"; then
        FAILS=$((FAILS + 1))
        say "FAIL $label:"
        sed 's/^/    /' "$out"
    else
        say "$label: $oks checks passed"
    fi
}

# A real erl node with `repl` registered: answers {from, msg} with {:echo, msg}.
start_beam() { # name, extra erl args...
    local name=$1
    shift
    "$WITH_TIMEOUT" 150 erl -noshell -name "$name@127.0.0.1" -setcookie "$COOKIE" "$@" -eval '
        register(repl, self()),
        io:format("BEAM READY~n"),
        L = fun L() -> receive {F, M} when is_pid(F) -> F ! {echo, M}, L(); _ -> L() end end,
        L().' >"$WORK/$name.out" 2>&1 &
    LAST_PID=$!
    PIDS+=($!)
    disown $!
    wait_for "$WORK/$name.out" "BEAM READY" 100 || fail "erl node $name did not start"
}

start_tapa() { # name, extra args...
    local name=$1
    shift
    "$WITH_TIMEOUT" 150 "$TAPA_NODE" --name "$name@127.0.0.1" --cookie "$COOKIE" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    LAST_PID=$!
    PIDS+=($!)
    disown $!
    wait_for "$WORK/$name.out" "is up" 50 || fail "tapa-node $name did not start: $(cat "$WORK/$name.err")"
}

# ------------------------------------------------------------ C <-> BEAM --
start_beam "beam$TAG"
BEAM=beam$TAG@127.0.0.1
"$WITH_TIMEOUT" 20 "$DRIVER" beam "cb$TAG@127.0.0.1" "$COOKIE" "$BEAM" >"$WORK/cb.out" 2>&1
tally "$WORK/cb.out" "C node -> erl node (ping, send, rpc, spawn, links, monitors)"

# monitor({name, node}) (issue 9 item 4): the C node's DOWN messages for a
# name nobody has, a registered process that exits, demonitor and a node that
# does not exist, compared with what erl gives for the same cases.
"$WITH_TIMEOUT" 40 "$DRIVER" monname "cm$TAG@127.0.0.1" "$COOKIE" "$BEAM" >"$WORK/cm.out" 2>&1 &
CM_PID=$!
if wait_for "$WORK/cm.out" "MON READY" 200; then
    "$WITH_TIMEOUT" 30 erl -noshell -name "em$TAG@127.0.0.1" -setcookie "$COOKIE" -eval '
        [B, C] = [list_to_atom(A) || A <- init:get_plain_arguments()],
        Down = fun(R, Ms) -> receive {'"'"'DOWN'"'"', R, T, O, W} -> {'"'"'DOWN'"'"', ref, T, O, W} after Ms -> none end end,
        Victim = fun(Name) -> V = spawn(B, timer, sleep, [10000]), true = rpc:call(B, erlang, register, [Name, V]), V end,
        Send = fun(Case, D) -> {mondriver, C} ! {erl_down, Case, D} end,
        Send(noproc, Down(erlang:monitor(process, {nobody_has_this, B}), 3000)),
        V1 = Victim(victim_x), R1 = erlang:monitor(process, {victim_x, B}), exit(V1, bye),
        Send(exits, Down(R1, 3000)),
        V2 = Victim(victim_y), R2 = erlang:monitor(process, {victim_y, B}), true = erlang:demonitor(R2), exit(V2, bye),
        Send(demonitor, Down(R2, 500)),
        Send(noconnection, Down(erlang:monitor(process, {x, '"'"'bogus@nowhere'"'"'}), 10000)),
        timer:sleep(500), halt().' -extra "$BEAM" "cm$TAG@127.0.0.1" >"$WORK/em.out" 2>&1 ||
        say "the erl side of monitor({name, node}) failed: $(cat "$WORK/em.out")"
fi
wait $CM_PID
tally "$WORK/cm.out" "monitor({name, node}) against erl, DOWN messages equal to erl's"

start_tapa "tapa$TAG"
TAPA=tapa$TAG@127.0.0.1
TAPA_PID=$LAST_PID
HERE=$(cd "$(dirname "$0")" && pwd)
TAPA_PEER=$TAPA SCRIPT=$HERE/erl_to_c.escript "$WITH_TIMEOUT" 20 erl -noshell -name "eb$TAG@127.0.0.1" -setcookie "$COOKIE" -eval '
    C = list_to_atom(os:getenv("TAPA_PEER")),
    case file:script(os:getenv("SCRIPT"), [{'"'"'C'"'"', C}]) of
        {ok, _} -> ok;
        Err -> io:format("FAIL the script: ~p~n", [Err])
    end,
    halt().' >"$WORK/eb.out" 2>&1
oks=$(grep -c '^ok ' "$WORK/eb.out")
if grep -q '^FAIL' "$WORK/eb.out" || [ "$oks" -lt 15 ]; then
    fail "erl node -> C node:"; sed 's/^/    /' "$WORK/eb.out"
else
    PASSES=$((PASSES + oks)); say "erl node -> C node (ping, send, terms, rpc, spawn, links, monitors): $oks checks passed"
fi
# group leaders: a process spawned for a caller prints in the caller's
# terminal (erl -> C: erl's output; C -> C and C -> erl: the C caller's)
if grep -q "pid: #PID<0\." "$WORK/eb.out"; then pass; else fail "whoami spawned by erl did not print 'pid: #PID<0.N.0>' in erl's output: $(cat "$WORK/eb.out")"; fi
if ! grep -q "pid: #PID" "$WORK/tapa$TAG.out"; then pass; else fail "whoami printed on the C node instead of the caller's terminal"; fi
if grep -q "printed by erl: héllo ✓" "$WORK/cb.out"; then pass; else fail "io:put_chars spawned on erl by a C node did not print in the C node's output"; fi

# apply with the wrong arity, or a fun's body without its captured terms:
# BEAM's errors (badarity for funs, undef for M:F/A), never a read past the
# arguments; the node still answers afterwards
"$WITH_TIMEOUT" 10 erl -noshell -name "ar$TAG@127.0.0.1" -setcookie "$COOKIE" -eval '
    T = list_to_atom("'"$TAPA"'"), M = '"'"'Elixir.Tapa.Demo'"'"',
    io:format("~p~n", [rpc:call(T, M, add_n, [1])]),
    io:format("~p~n", [rpc:call(T, M, add, [1])]),
    io:format("~p~n", [rpc:call(T, M, apply, [fun erlang:max/2, 1])]),
    io:format("~p ~p~n", [net_adm:ping(T), rpc:call(T, M, add, [1, 2])]),
    halt().' >"$WORK/ar.out" 2>&1
if grep -q "^{badrpc,{'EXIT',{undef,\[{'Elixir.Tapa.Demo',add_n,\[1\],\[\]}\]}}}" "$WORK/ar.out" &&
   grep -q "^{badrpc,{'EXIT',{undef,\[{'Elixir.Tapa.Demo',add,\[1\],\[\]}\]}}}" "$WORK/ar.out" &&
   grep -q "^{badrpc,{'EXIT',{{badarity,{fun erlang:max/2,\[1\]}}" "$WORK/ar.out" &&
   grep -q "^pong 3" "$WORK/ar.out"; then pass; say "wrong arity and bodies without captures: undef/badarity as on BEAM"; else
    fail "apply with the wrong arity:"; sed 's/^/    /' "$WORK/ar.out"; fi

# ------------------------------------------------------------------ C <-> C --
"$WITH_TIMEOUT" 20 "$DRIVER" c "cc$TAG@127.0.0.1" "$COOKIE" "$TAPA" >"$WORK/cc.out" 2>&1
tally "$WORK/cc.out" "C node -> C node (ping, send, rpc, fun, spawn, pids, links, monitors)"
if grep -q "^pid: #PID<0\." "$WORK/cc.out" && ! grep -q "pid: #PID" "$WORK/tapa$TAG.out"; then pass; else
    fail "whoami spawned by a C node did not print in the caller's output"; fi

# ------------------------------------------------- hostile clients and peers --
HOSTILE=$(dirname "$DRIVER")/dist_hostile
"$WITH_TIMEOUT" 40 "$HOSTILE" "hv$TAG@127.0.0.1" "$COOKIE" "$TAPA" >"$WORK/hostile.out" 2>&1
oks=$(grep -c '^ok ' "$WORK/hostile.out")
if grep -q '^FAIL' "$WORK/hostile.out" || ! grep -q 'hostile done: 0 failure' "$WORK/hostile.out"; then
    fail "a node under attack:"; sed 's/^/    /' "$WORK/hostile.out"
else
    PASSES=$((PASSES + oks)); say "a node under attack (strangers, bad packets, a stalled peer): $oks checks passed"
fi

# ---------------------------------------- a peer with the cookie attacks --
# Bad names, node-table and atom-table floods, made-up nodes, a compressed
# bomb, peers that die with output unread: each closes its own connection;
# the node's fds and memory come back, and a fresh erl still pings it.
ABUSE=$(dirname "$DRIVER")/dist_abuse
start_tapa "abused$TAG"
AB_PID=$(pgrep -P "$LAST_PID" | head -1)
fds() { ls "/proc/$AB_PID/fd" 2>/dev/null | wc -l; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$AB_PID/status" 2>/dev/null; }
fd0=$(fds); rss0=$(rss)
ABUSE_NODE_PID=$AB_PID ABUSE_ONLY=utf8,creations,nodes,bomb,pipe,silent,bigterm "$WITH_TIMEOUT" 60 "$ABUSE" "abused$TAG@127.0.0.1" "$COOKIE" "$TAG" >"$WORK/abuse.out" 2>&1
sleep 0.3
fd_mid=$(fds); rss_mid=$(rss)
ABUSE_ONLY=atoms "$WITH_TIMEOUT" 60 "$ABUSE" "abused$TAG@127.0.0.1" "$COOKIE" "$TAG" >>"$WORK/abuse.out" 2>&1
sleep 0.3
fd1=$(fds); rss1=$(rss)
oks=$(grep -c '^ok ' "$WORK/abuse.out")
if grep -q '^FAIL' "$WORK/abuse.out" || [ "$(grep -c 'abuse done: 0 failure' "$WORK/abuse.out")" != 2 ]; then
    fail "a peer with the cookie attacks:"; sed 's/^/    /' "$WORK/abuse.out"; sed 's/^/    node: /' "$WORK/abused$TAG.err" | tail -5
else
    PASSES=$((PASSES + oks)); say "a peer with the cookie attacks (names, tables, atoms, bombs, SIGPIPE): $oks checks passed"
fi
# before the atom flood: descriptors and memory back to their level (a big
# term's memory is returned once it is gone)
if [ -n "$fd0" ] && [ "$fd_mid" = "$fd0" ] && [ "$((rss_mid - rss0))" -lt 30000 ]; then pass; else
    fail "after the attacks and a big term: fds $fd0 -> $fd_mid, RSS $rss0 -> $rss_mid kB"; fi
# the atom table keeps its atoms (as BEAM's does): 1 M atoms are ~70 MB
if [ -n "$fd0" ] && [ "$fd1" = "$fd0" ] && [ "$((rss1 - rss0))" -lt 150000 ]; then pass; else
    fail "after the attacks: fds $fd0 -> $fd1, RSS $rss0 -> $rss1 kB"; fi
"$WITH_TIMEOUT" 10 erl -noshell -name "ea$TAG@127.0.0.1" -setcookie "$COOKIE" -eval '
    T = list_to_atom("abused'"$TAG"'@127.0.0.1"),
    io:format("~p~n", [net_adm:ping(T)]),
    Third = binary_to_term(<<131,88,119,15,"third@elsewhere",0:32,0:32,3:32>>),
    {echo, T} ! {self(), {42, Third}},
    receive {echo, {42, P}} when P =:= Third -> io:format("ECHOED~n") after 3000 -> io:format("no echo~n") end,
    Deep = lists:foldl(fun(_, A) -> [A, "x"] end, [], lists:seq(1, 20000)),
    {echo, T} ! {self(), Deep},
    receive {echo, D} when D =:= Deep -> io:format("DEEP~n") after 3000 -> io:format("no deep echo~n") end,
    halt().' >"$WORK/ea.out" 2>&1
if grep -q '^pong' "$WORK/ea.out" && grep -q ECHOED "$WORK/ea.out"; then pass; else
    fail "a fresh erl after the attacks (ping, echo of a third node's pid): $(cat "$WORK/ea.out")"; fi
if grep -q '^DEEP' "$WORK/ea.out"; then pass; else
    fail "an iolist of 20000 appends from erl was not echoed: $(cat "$WORK/ea.out"; tail -3 "$WORK/abused$TAG.err")"; fi

# ------------------------------------------------ a burst to an erl sink --
# One C process sends BURST_COUNT messages as fast as it can: it waits when
# the connection is behind (back-pressure), and every message arrives, in
# order (make bench runs 3,000,000).
BURST=$(dirname "$DRIVER")/dist_burst
mkdir -p "$WORK/ebin"
erlc -o "$WORK/ebin" "$(dirname "$0")/burst_sink.erl"
"$WITH_TIMEOUT" 100 erl -noshell -pa "$WORK/ebin" -name "sink$TAG@127.0.0.1" -setcookie "$COOKIE" -s burst_sink start >"$WORK/sink.out" 2>&1 &
PIDS+=($!)
disown $!
if wait_for "$WORK/sink.out" "SINK READY" 100; then
    "$WITH_TIMEOUT" 90 "$BURST" "burst$TAG@127.0.0.1" "$COOKIE" "sink$TAG@127.0.0.1" "${BURST_COUNT:-200000}" "${BURST_OUTPUT_LIMIT:-1048576}" >"$WORK/burst.out" 2>&1
    if grep -q '^ok' "$WORK/burst.out" && grep -q 'burst done: 0 failure' "$WORK/burst.out"; then
        pass; say "burst: $(grep '^ok' "$WORK/burst.out" | cut -c4-)"
    else
        fail "a burst to an erl sink:"; sed 's/^/    /' "$WORK/burst.out"
    fi
else
    fail "the erl sink did not start: $(cat "$WORK/sink.out")"
fi

# ------------------------------------------ nothing blocks the scheduler --
NOBLOCK=$(dirname "$DRIVER")/dist_noblock
if [ "$(uname)" = Linux ]; then
    "$WITH_TIMEOUT" 20 env LD_PRELOAD="$(dirname "$DRIVER")/slow_dns.so" "$NOBLOCK" "nb$TAG@127.0.0.1" "$COOKIE" >"$WORK/noblock.out" 2>&1
    tally_plain() { # out label done-marker
        local oks; oks=$(grep -c '^ok ' "$1")
        if grep -q '^FAIL' "$1" || ! grep -q "$3: 0 failure" "$1"; then fail "$2:"; sed 's/^/    /' "$1"
        else PASSES=$((PASSES + oks)); say "$2: $oks checks passed"; fi
    }
    tally_plain "$WORK/noblock.out" "a slow DNS lookup does not stop the other processes" "noblock done"
    # a node that starts its own (slow) port mapper, in a network namespace
    # where none runs: the other processes go on meanwhile
    if command -v bwrap >/dev/null && bwrap --dev-bind / / --unshare-net true 2>/dev/null; then
        printf '#!/bin/sh\nsleep 1\nexec %s "$@"\n' "$BIN/tapa-epmd" >"$WORK/slow-epmd.sh"
        chmod +x "$WORK/slow-epmd.sh"
        "$WITH_TIMEOUT" 20 bwrap --dev-bind / / --unshare-net --die-with-parent env TAPA_EPMD="$WORK/slow-epmd.sh" \
            "$NOBLOCK" "ne$TAG@127.0.0.1" "$COOKIE" epmd >"$WORK/noblock-epmd.out" 2>&1
        tally_plain "$WORK/noblock-epmd.out" "starting the port mapper does not stop the other processes" "noblock done"
    else
        say "port mapper start: SKIPPED (bwrap cannot make a network namespace here)"
    fi
fi

# ------------------------------------------------------------ wrong cookie --
"$WITH_TIMEOUT" 20 "$DRIVER" cookie "ck$TAG@127.0.0.1" "wrong$COOKIE" "$BEAM" >"$WORK/ck.out" 2>&1
tally "$WORK/ck.out" "a C node with the wrong cookie is refused by erl"
if grep -q "handshake\|refused" "$WORK/ck.out"; then pass; else fail "the C node did not log the refusal"; fi
"$WITH_TIMEOUT" 10 erl -noshell -name "ew$TAG@127.0.0.1" -setcookie "wrong$COOKIE" -eval '
    io:format("~p~n", [net_adm:ping(list_to_atom("'"$TAPA"'"))]),
    {echo, list_to_atom("'"$TAPA"'")} ! {self(), sneaky},
    receive M -> io:format("GOT ~p~n", [M]) after 500 -> ok end, halt().' >"$WORK/ew.out" 2>&1
if grep -q '^pang' "$WORK/ew.out" && ! grep -q GOT "$WORK/ew.out"; then pass; else fail "erl with a wrong cookie was not refused: $(cat "$WORK/ew.out")"; fi
if wait_for "$WORK/tapa$TAG.err" "wrong digest" 20; then pass; else fail "tapa-node did not log the wrong cookie: $(cat "$WORK/tapa$TAG.err")"; fi

# -------------------------------------------------------- a killed peer --
start_beam "victim$TAG"
VICTIM_PID=$LAST_PID
"$WITH_TIMEOUT" 20 "$DRIVER" kill "ckill$TAG@127.0.0.1" "$COOKIE" "victim$TAG@127.0.0.1" >"$WORK/kill.out" 2>&1 &
DPID=$!
PIDS+=($DPID)
if wait_for "$WORK/kill.out" "^READY" 100; then pkill -9 -P "$VICTIM_PID" 2>/dev/null; kill -9 "$VICTIM_PID" 2>/dev/null; fi
wait "$DPID"
tally "$WORK/kill.out" "a killed erl peer: $(grep -o 'noconnection after [0-9]* ms' "$WORK/kill.out")"
ms=$(grep -o 'noconnection after [0-9]*' "$WORK/kill.out" | grep -o '[0-9]*$')
if [ -n "$ms" ] && [ "$ms" -lt 1000 ]; then pass; else fail "noconnection took ${ms:-forever} ms (limit 1000)"; fi

# C peer killed
start_tapa "tvictim$TAG"
TV_PID=$LAST_PID
"$WITH_TIMEOUT" 20 "$DRIVER" killc "ckill2$TAG@127.0.0.1" "$COOKIE" "tvictim$TAG@127.0.0.1" >"$WORK/kill2.out" 2>&1 &
DPID=$!
PIDS+=($DPID)
if wait_for "$WORK/kill2.out" "^READY" 100; then pkill -9 -P "$TV_PID"; fi
wait "$DPID"
tally "$WORK/kill2.out" "a killed C peer: $(grep -o 'noconnection after [0-9]* ms' "$WORK/kill2.out")"

# -------------------------------------------------------- a stopped peer --
start_beam "frozen$TAG"
FROZEN=$LAST_PID
"$WITH_TIMEOUT" 20 "$DRIVER" stop "cstop$TAG@127.0.0.1" "$COOKIE" "frozen$TAG@127.0.0.1" 2 >"$WORK/stop.out" 2>&1 &
DPID=$!
PIDS+=($DPID)
if wait_for "$WORK/stop.out" "^READY" 100; then
    for p in $(pgrep -P "$FROZEN") "$FROZEN"; do kill -STOP "$p" 2>/dev/null; done
fi
wait "$DPID"
tally "$WORK/stop.out" "a SIGSTOPped erl peer, ticktime 2 s: $(grep -o 'nodedown after [0-9]* ms' "$WORK/stop.out")"

# ------------------------------------------------------------- clean stop --
kill -TERM "$TAPA_PID"
for _ in $(seq 1 30); do kill -0 "$TAPA_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$TAPA_PID" 2>/dev/null; then fail "tapa-node ignored SIGTERM"; else pass; fi

say "$PASSES checks passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
