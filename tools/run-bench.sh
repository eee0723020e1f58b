#!/bin/bash
# run-bench.sh BENCH_DIR — runs the benchmarks built in BENCH_DIR (bench_*),
# each C program and its Erlang counterpart (bench/erl/bench.erl) in the
# same run, and prints one line per benchmark:
#
#   bench NAME tapa=VALUE beam=VALUE unit=UNIT better=RATIO goal=GOAL PASS|MISS
#
# RATIO > 1 means the kit is better: tapa/beam for a throughput, beam/tapa
# for a time or a size. Cheap benchmarks run 3 times on each side and report
# the median; serve_10m and idle_1m run once. Without erl, beam=NA and the
# goal is judged against the BEAM figure measured on the reference machine
# (shared notes), marked "(vs noted BEAM)".
#
# Other bench_* programs in BENCH_DIR are run once and their own `bench ...`
# lines passed through.
#
# Environment: BENCH_RUNS (default 3), BEAM_FLAGS (extra erl flags, e.g.
# "+S 1" for one scheduler), BENCH_SKIP_BEAM=1 to skip erl.
set -u
dir=${1:?usage: run-bench.sh BENCH_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${BENCH_RUNS:-3}
beam_flags=${BEAM_FLAGS:-}

have_erl=0
if [ -z "${BENCH_SKIP_BEAM:-}" ] && command -v erl >/dev/null && command -v erlc >/dev/null; then
    ebin=$(mktemp -d)
    trap 'rm -rf "$ebin"' EXIT
    if erlc -o "$ebin" "$root/bench/erl/bench.erl"; then
        have_erl=1
    else
        echo "run-bench: erlc failed on bench/erl/bench.erl; BEAM figures skipped" >&2
    fi
fi

# value KEY LINE: the number after KEY= in LINE
value() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=\\([-0-9.]*\\).*/\\1/p" | head -1; }

# median of the numbers on stdin (lower middle for an even count)
median() { sort -g | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]}'; }

# run_c N BIN ARGS...: median tapa= value of N runs (empty on failure)
run_c() {
    local n=$1
    shift
    local vals=() out
    for ((i = 0; i < n; i++)); do
        out=$("$@" 2>/dev/null) || return 1
        vals+=("$(value tapa "$out")")
    done
    printf '%s\n' "${vals[@]}" | median
}

# run_beam N ERLFLAGS NAME ARGS...
run_beam() {
    local n=$1 flags=$2
    shift 2
    [ $have_erl = 1 ] || return 1
    local vals=() out
    for ((i = 0; i < n; i++)); do
        # shellcheck disable=SC2086
        out=$(erl $beam_flags $flags -noshell -pa "$ebin" -run bench main "$@" 2>/dev/null) || return 1
        vals+=("$(value beam "$out")")
    done
    printf '%s\n' "${vals[@]}" | median
}

# report NAME TAPA BEAM UNIT KIND GOAL_RATIO REF_BEAM
#   KIND: higher (throughput: ratio tapa/beam) or lower (time/bytes: beam/tapa)
missed=0
report() {
    local name=$1 tapa=$2 beam=$3 unit=$4 kind=$5 goal=$6 ref=$7
    local better=NA verdict note="" basis=$beam
    if [ -z "$tapa" ]; then
        echo "bench $name tapa=FAIL beam=${beam:-NA} unit=$unit better=NA goal=${goal}x MISS (the C program failed)"
        missed=$((missed + 1))
        return
    fi
    if [ -z "$beam" ]; then
        beam=NA
        basis=$ref
        note=" (vs noted BEAM $ref)"
    else
        better=$(awk -v t="$tapa" -v b="$beam" -v k="$kind" \
            'BEGIN { if (k == "higher") r = t / b; else r = (t > 0 ? b / t : 1e9); printf "%.2f", r }')
    fi
    verdict=$(awk -v t="$tapa" -v b="$basis" -v k="$kind" -v g="$goal" \
        'BEGIN { r = (k == "higher") ? t / b : (t > 0 ? b / t : 1e9); print (r >= g ? "PASS" : "MISS") }')
    [ "$verdict" = PASS ] || missed=$((missed + 1))
    echo "bench $name tapa=$tapa beam=$beam unit=$unit better=$better goal=>=${goal}x $verdict$note"
}

bin() { echo "$dir/bench_$1"; }
need() {
    if [ ! -x "$(bin "$1")" ]; then
        echo "bench $1 tapa=FAIL beam=NA unit=? better=NA goal=? MISS ($(bin "$1") is not built)"
        missed=$((missed + 1))
        return 1
    fi
}

echo "run-bench: $(getconf _NPROCESSORS_ONLN) CPUs; C: $dir; BEAM: $([ $have_erl = 1 ] && erl -noshell -eval 'io:format("OTP ~s, ~p schedulers", [erlang:system_info(otp_release), erlang:system_info(schedulers)]), halt().' || echo 'not run') ${beam_flags}"

if need ring; then
    t=$(run_c "$runs" "$(bin ring)"); b=$(run_beam "$runs" "" ring)
    report ring "$t" "$b" msg/s higher 8 4800000
fi
if need spawn; then
    t=$(run_c "$runs" "$(bin spawn)"); b=$(run_beam "$runs" "" spawn)
    report spawn "$t" "$b" ns lower 20 1090
fi
if need idle_memory; then
    t=$(run_c "$runs" "$(bin idle_memory)"); b=$(run_beam "$runs" "" idle_memory)
    report idle_memory "$t" "$b" B lower 4 2700
fi
if need ping_pong; then
    t=$(run_c "$runs" "$(bin ping_pong)"); b=$(run_beam "$runs" "" ping_pong)
    report ping_pong "$t" "$b" ns lower 5 340
fi
if need selective_receive; then
    t=$(run_c "$runs" "$(bin selective_receive)"); b=$(run_beam "$runs" "" selective_receive)
    report selective_receive "$t" "$b" us lower 5 5.3
fi

# serve_10m: the goal is absolute (< 1 MiB of growth); the ratio floors both
# sides at one page so that a flat run does not divide by zero.
if need serve_10m; then
    t=$(run_c 1 "$(bin serve_10m)"); b=$(run_beam 1 "" serve_10m)
    if [ -z "$t" ]; then
        echo "bench serve_10m tapa=FAIL beam=${b:-NA} unit=B better=NA goal=<1MiB MISS (the C program failed)"
        missed=$((missed + 1))
    else
        better=NA
        [ -n "$b" ] && better=$(awk -v t="$t" -v b="$b" \
            'BEGIN { t = t < 4096 ? 4096 : t; b = b < 4096 ? 4096 : b; printf "%.2f", b / t }')
        verdict=$(awk -v t="$t" 'BEGIN { print (t < 1048576 ? "PASS" : "MISS") }')
        [ "$verdict" = PASS ] || missed=$((missed + 1))
        echo "bench serve_10m tapa=$t beam=${b:-NA} unit=B better=$better goal=<1MiB $verdict"
    fi
fi

# idle_1m: a million idle processes must fit (no sysctl change); the value
# is bytes per process, as idle_memory. BEAM needs +P to go past 262,144.
if need idle_memory; then
    t=$(run_c 1 "$(bin idle_memory)" 1000000); b=$(run_beam 1 "+P 2000000" idle_memory 1000000)
    if [ -z "$t" ]; then
        echo "bench idle_1m tapa=FAIL beam=${b:-NA} unit=B better=NA goal=fits MISS (1,000,000 idle processes did not fit)"
        missed=$((missed + 1))
    else
        better=NA
        [ -n "$b" ] && better=$(awk -v t="$t" -v b="$b" 'BEGIN { printf "%.2f", (t > 0 ? b / t : 1e9) }')
        echo "bench idle_1m tapa=$t beam=${b:-NA} unit=B better=$better goal=fits PASS"
    fi
fi

# Any other bench_* program (e.g. bench_dist) runs its BEAM side itself and
# prints its own `bench NAME ...` lines; they are passed through.
known=" ring spawn idle_memory ping_pong selective_receive serve_10m "
for b in "$dir"/bench_*; do
    [ -x "$b" ] && [ -f "$b" ] || continue
    name=${b##*/bench_}
    case "$known" in *" $name "*) continue ;; esac
    if ! out=$("$root/tools/with-timeout.sh" 120 "$b" 2>/dev/null); then
        echo "bench $name tapa=FAIL beam=NA unit=? better=NA goal=? MISS ($b failed)"
        missed=$((missed + 1))
        continue
    fi
    grep '^bench ' <<<"$out"
    missed=$((missed + $(grep '^bench ' <<<"$out" | grep -cw MISS)))
done

if [ $missed -gt 0 ]; then
    echo "run-bench: $missed benchmark(s) missed their goal (goals, not tests: make bench still succeeds)"
else
    echo "run-bench: every goal met"
fi
exit 0
