#!/usr/bin/env bash
# burst-bench.sh BURST_BIN [N] — make bench: one C process sends N
# (3,000,000) messages to an erl sink with the default output limit; every
# one must arrive, in order (back-pressure, not loss). Prints a bench line.
set -u
WITH_TIMEOUT=$(cd "$(dirname "$0")/../../tools" && pwd)/with-timeout.sh # not GNU timeout: macOS
BURST=${1:?dist_burst binary}
N=${2:-3000000}
command -v erl >/dev/null && command -v erlc >/dev/null || {
    echo "bench dist_burst tapa=NA beam=NA unit=msg better=NA goal=all SKIPPED (no erl)"; exit 0; }
WORK=$(mktemp -d /tmp/tapa-burst.XXXXXX)
TAG=$$
SINK=
cleanup() { [ -n "$SINK" ] && kill "$SINK" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
erlc -o "$WORK" "$(dirname "$0")/burst_sink.erl" || exit 1
"$WITH_TIMEOUT" 300 erl -noshell -pa "$WORK" -name "bsink$TAG@127.0.0.1" -setcookie "burst$TAG" -s burst_sink start >"$WORK/sink.out" 2>&1 &
SINK=$!
for _ in $(seq 1 100); do grep -q "SINK READY" "$WORK/sink.out" 2>/dev/null && break; sleep 0.1; done
out=$("$WITH_TIMEOUT" 280 "$BURST" "bsend$TAG@127.0.0.1" "burst$TAG" "bsink$TAG@127.0.0.1" "$N" 2>&1)
line=$(grep -E '^(ok|FAIL) ' <<<"$out" | head -1)
if [[ $line == ok* ]]; then
    echo "bench dist_burst tapa=$N beam=NA unit=msg better=NA goal=all PASS (${line#ok })"
else
    echo "bench dist_burst tapa=FAIL beam=NA unit=msg better=NA goal=all MISS (${line:-$out})"
fi
