#!/usr/bin/env bash
# bench-iex.sh TAPA_IEX — tapa-iex's start time and time per evaluated line,
# beside iex's start time measured in the same run. Goals (issue 14): start
# under 100 ms, a line under 1 ms (lines that wait for nothing). Prints
#   bench iex_start tapa=MS beam=MS unit=ms better=RATIO goal=<100 PASS|MISS
#   bench iex_line tapa=US unit=us goal=<1000 PASS|MISS
# Times are medians of BENCH_RUNS (default 5) runs, wall clock.
set -u
bin=${1:?usage: bench-iex.sh TAPA_IEX}
runs=${BENCH_RUNS:-5}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp

# wall times from bash's EPOCHREALTIME: no fork added to what is measured
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ms_of() { # command... -> wall ms of one run, stdin from $tmp/in
  local t0 t1
  t0=${EPOCHREALTIME/./}; "$@" < "$tmp/in" > "$tmp/out" 2>&1; t1=${EPOCHREALTIME/./}
  echo $(( (t1 - t0) / 1000 ))
}

# start: one line, then end of input
echo ':ok' > "$tmp/in"
tapa_start=$(for i in $(seq "$runs"); do ms_of "$bin" --no-history; done | median)
grep -qx ':ok' "$tmp/out" || { echo "bench iex_start: tapa-iex did not answer :ok"; cat "$tmp/out"; exit 1; }
beam_start=NA
if command -v iex >/dev/null; then
  beam_start=$(for i in $(seq "$runs"); do ms_of iex; done | median)
fi

# lines: the tutorial's kind of line, 4000 of each: match, send, info, receive
n=4000
for i in $(seq $n); do
  echo 'x = {:ok, [1, 2, 3], %{pid: self()}}'
  echo 'send(self(), {:ping, x})'
  echo 'Process.info(self(), :message_queue_len)'
  echo 'receive do {:ping, {:ok, [h | _], _}} -> h after 0 -> :none end'
done > "$tmp/in"
lines=$((n * 4))
total=$(for i in $(seq 3); do ms_of "$bin" --no-history; done | median)
[ "$(grep -c '^1$' "$tmp/out")" -eq $n ] || { echo "bench iex_line: unexpected output"; head "$tmp/out"; exit 1; }
per_line_us=$(( (total - tapa_start) * 1000 / lines ))

verdict() { [ "$1" -lt "$2" ] && echo PASS || echo MISS; }
ratio=NA
[ "$beam_start" != NA ] && ratio=$(awk -v t="$tapa_start" -v b="$beam_start" 'BEGIN { printf "%.1f", b / (t > 0 ? t : 1) }')
echo "bench iex_start tapa=$tapa_start beam=$beam_start unit=ms better=$ratio goal=<100 $(verdict "$tapa_start" 100)"
echo "bench iex_line tapa=$per_line_us unit=us lines=$lines goal=<1000 $(verdict "$per_line_us" 1000)"
