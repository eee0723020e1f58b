#!/bin/bash
# run-tests.sh VARIANT DIR TEST... — runs each unit-test binary, with a
# timeout, under valgrind for the valgrind variant, and summarises.
# TAPA_RUNNER (e.g. qemu-aarch64) runs each binary through an emulator.
# POSIX tools only (macOS too): the timeout is tools/with-timeout.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
variant=$1 dir=$2
shift 2
slow=${TAPA_SLOW:-1}
passed=0 total=0 # one line for the suite, the output of a program that fails (V=1: a line each)
limit=$((60 * slow))
failed=()
# seconds since the epoch, with decimals where the shell has them (bash 5)
now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else date +%s; fi; }
for t in "$@"; do
    cmd=("$dir/$t")
    [ -n "${TAPA_RUNNER:-}" ] && cmd=($TAPA_RUNNER "$dir/$t")
    if [ "$variant" = valgrind ]; then
        if ! command -v valgrind >/dev/null; then
            echo "SKIPPED valgrind run: valgrind is not installed (apt-get install valgrind)"
            exit 0
        fi
        cmd=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
             --show-leak-kinds=definite "$dir/$t")
    fi
    log=$(mktemp)
    start=$(now)
    "$here/with-timeout.sh" "$limit" "${cmd[@]}" >"$log" 2>&1
    rc=$?
    secs=$(awk -v s="$start" -v e="$(now)" 'BEGIN{printf "%.1f", e-s}')
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1)); total=$(awk -v a="$total" -v b="$secs" 'BEGIN{printf "%.1f", a+b}')
        [ "${V:-}" = 1 ] && echo "ok   [$variant] $t (${secs}s)"
    else
        case $rc in
            124|137) why="timed out after ${limit}s (a hang?)" ;;
            99) why="valgrind found errors" ;;
            *) why="exit status $rc" ;;
        esac
        echo "FAIL [$variant] $t: $why. Its output:"
        sed 's/^/    /' "$log" | tail -60
        failed+=("$t")
    fi
    rm -f "$log"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAIL [$variant] ${#failed[@]} of $# test programs failed: ${failed[*]} (their output above)"
    exit 1
fi
# one line for the suite (V=1: one per program, above)
echo "ok   [$variant] $passed test programs (${total}s)"
