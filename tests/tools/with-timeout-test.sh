#!/bin/sh
# with-timeout-test.sh — tools/with-timeout.sh behaves as GNU timeout in the
# ways the kit's scripts rely on, both with GNU timeout and with the perl
# watcher macOS gets (TAPA_PORTABLE_TIMEOUT=1): exit status passed through,
# 124 on timeout, 127 for a missing command, 128+signal, and run in the
# background its pid's child is the command (interop.sh stops both).
here=$(cd "$(dirname "$0")/../.." && pwd)
wt=$here/tools/with-timeout.sh
fails=0
check() { # label expected actual
    if [ "$2" = "$3" ]; then :; else echo "with-timeout ($mode): FAIL $1: expected $2, got $3"; fails=$((fails + 1)); fi
}
for mode in gnu portable; do
    if [ $mode = portable ]; then export TAPA_PORTABLE_TIMEOUT=1; else unset TAPA_PORTABLE_TIMEOUT; fi
    "$wt" 5 sh -c 'exit 3'; check "exit status passes through" 3 $?
    "$wt" 5 true; check "success" 0 $?
    start=$(date +%s)
    "$wt" 1 sleep 30; check "timeout gives 124" 124 $?
    took=$(($(date +%s) - start))
    [ $took -le 4 ] || check "timeout stops the command within 4 s" "<=4" "$took"
    "$wt" 1 sh -c 'trap "" TERM; sleep 8'; check "KILL (128+9) when TERM is ignored" 137 $?
    "$wt" 5 /nonexistent/command 2>/dev/null; check "missing command" 127 $?
    "$wt" 5 sh -c 'kill -9 $$'; check "killed by signal 9" 137 $?
    "$wt" 2s sh -c 'exit 0'; check "seconds with an s suffix" 0 $?
    out=$("$wt" 5 printf 'a b\n'); check "arguments and stdout kept" "a b" "$out"
    "$wt" 20 sleep 20 &
    w=$!
    sleep 0.5
    child=$(pgrep -P $w)
    check "background pid's child is the command" "sleep" "$(ps -o comm= -p "${child:-0}" 2>/dev/null)"
    kill -TERM $w 2>/dev/null
    wait $w 2>/dev/null
    sleep 0.2
    if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
        check "TERM to the watcher reaches the command" gone alive; kill -9 "$child"
    fi
done
if [ $fails -gt 0 ]; then exit 1; fi
echo "with-timeout: 20 checks passed (GNU timeout and the portable watcher)"
