#!/bin/bash
# compare-with-erl.sh TEST_BINARY — runs the semantics scenarios on libtapa
# (TEST_BINARY, built from tests/unit/test_semantics.c) and in real Erlang
# (tests/erl/semantics.erl), and compares them line by line. Each scenario
# prints one normalised line `name: outcome`; any difference fails.
#
# Without erl, the Erlang side is tests/erl/semantics.expected, recorded
# from erl (OTP 25) with:   tools/compare-with-erl.sh --record
# With erl, a stale semantics.expected is reported (not a failure).
# COMPARE_WITHOUT_ERL=1 compares with semantics.expected even where erl is.
# TAPA_RUNNER (e.g. qemu-aarch64) runs TEST_BINARY through an emulator.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
erl_src=$root/tests/erl/semantics.erl
expected=$root/tests/erl/semantics.expected

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

have_erl() { [ -z "${COMPARE_WITHOUT_ERL:-}" ] && command -v erl >/dev/null && command -v erlc >/dev/null; }

# run_erl OUT: the Erlang scenarios' lines into OUT
run_erl() {
    erlc -o "$tmp" "$erl_src" || return 1
    "$root/tools/with-timeout.sh" 120 erl -noshell -pa "$tmp" -s semantics main >"$tmp/erl.raw" 2>"$tmp/erl.err" || return 1
    lines <"$tmp/erl.raw" >"$1"
}

lines() { grep -E '^[a-z0-9_]+: ' || true; }

if [ "${1:-}" = --record ]; then
    have_erl || { echo "compare-with-erl: --record needs erl (apt-get install erlang-base)"; exit 2; }
    run_erl "$tmp/erl.txt" || { echo "compare-with-erl: the Erlang scenarios failed:"; cat "$tmp/erl.err"; exit 2; }
    {
        echo "# tests/erl/semantics.erl as run by erl $(erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().')."
        echo "# Regenerate with: tools/compare-with-erl.sh --record"
        cat "$tmp/erl.txt"
    } >"$expected"
    echo "compare-with-erl: recorded $(wc -l <"$tmp/erl.txt") scenarios in ${expected#"$root"/}"
    exit 0
fi

bin=${1:?usage: compare-with-erl.sh TEST_BINARY | --record}
if [ ! -x "$bin" ]; then
    echo "compare-with-erl: $bin is not built (make $bin)"
    exit 2
fi

# ---- the libtapa side
"$root/tools/with-timeout.sh" 120 ${TAPA_RUNNER:-} "$bin" >"$tmp/tapa.raw" 2>"$tmp/tapa.err"
tapa_rc=$?
lines <"$tmp/tapa.raw" >"$tmp/tapa.txt"

# ---- the Erlang side
if have_erl; then
    otp=$(erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().')
    if ! run_erl "$tmp/erl.txt"; then
        echo "compare-with-erl: FAIL: the Erlang scenarios did not run:"
        sed 's/^/    /' "$tmp/erl.err" | tail -20
        exit 1
    fi
    source="real erl (OTP $otp)"
    if [ -f "$expected" ] && ! diff -q <(grep -v '^#' "$expected") "$tmp/erl.txt" >/dev/null; then
        echo "compare-with-erl: note: tests/erl/semantics.expected differs from this erl's output;"
        echo "    refresh it with tools/compare-with-erl.sh --record"
    fi
else
    if [ ! -f "$expected" ]; then
        echo "compare-with-erl: FAIL: erl is not installed and tests/erl/semantics.expected is missing"
        exit 1
    fi
    grep -v '^#' "$expected" >"$tmp/erl.txt"
    source="tests/erl/semantics.expected (erl not available or COMPARE_WITHOUT_ERL set: comparing with the output recorded from erl)"
fi

# ---- compare, scenario by scenario
mismatches=0
report=$tmp/report
: >"$report"
while IFS= read -r line; do
    name=${line%%: *}
    want=${line#*: }
    got_line=$(grep -m1 -E "^$name: " "$tmp/tapa.txt" || true)
    if [ -z "$got_line" ]; then
        printf 'MISSING  %s\n    erl:   %s\n    tapa:  (no line: the scenario did not report)\n' "$name" "$want" >>"$report"
        mismatches=$((mismatches + 1))
        continue
    fi
    got=${got_line#*: }
    if [ "$got" != "$want" ]; then
        printf 'DIFFERS  %s\n    erl:   %s\n    tapa:  %s\n' "$name" "$want" "$got" >>"$report"
        mismatches=$((mismatches + 1))
    fi
done <"$tmp/erl.txt"
while IFS= read -r line; do
    name=${line%%: *}
    if ! grep -q -E "^$name: " "$tmp/erl.txt"; then
        printf 'EXTRA    %s\n    tapa:  %s (no such scenario on the Erlang side)\n' "$name" "${line#*: }" >>"$report"
        mismatches=$((mismatches + 1))
    fi
done <"$tmp/tapa.txt"

total=$(wc -l <"$tmp/erl.txt")
echo "compare-with-erl: $total scenarios; libtapa ($bin) vs $source"
if [ $mismatches -gt 0 ] || [ $tapa_rc -ne 0 ]; then
    cat "$report"
    [ $tapa_rc -ne 0 ] && echo "compare-with-erl: $bin exited with status $tapa_rc (a scenario could not run)"
    echo "compare-with-erl: FAIL: $mismatches scenario(s) differ from Erlang"
    echo "    rerun one: $bin NAME   (and: erl -noshell -s semantics main, from tests/erl)"
    exit 1
fi
echo "compare-with-erl: ok, every scenario behaves as in Erlang"
exit 0
