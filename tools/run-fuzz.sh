#!/bin/bash
# run-fuzz.sh SECONDS TARGET... — runs each libFuzzer target from build/fuzz
# for SECONDS with its seed corpus (tests/fuzz/corpus_<name>/ when present).
set -u
secs=$1
shift
command -v clang >/dev/null || { echo "SKIPPED fuzzing: clang is not installed (apt-get install clang)"; exit 0; }
for t in "$@"; do
    name=${t#fuzz_}
    work=build/fuzz/corpus-$name
    mkdir -p "$work"
    seeds=()
    [ -d "tests/fuzz/corpus_$name" ] && seeds=("tests/fuzz/corpus_$name")
    if build/fuzz/$t -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        "$work" "${seeds[@]}" >build/fuzz/$t.log 2>&1; then
        echo "ok   [fuzz] $t: $(grep -c . "$work"/* 2>/dev/null | wc -l) inputs in corpus, ${secs}s clean"
    else
        echo "FAIL [fuzz] $t: a crash was found. The end of its log (build/fuzz/$t.log):"
        tail -40 build/fuzz/$t.log | sed 's/^/    /'
        exit 1
    fi
done
