#!/bin/sh
# trace-step.sh — make trace STEP=NN: run your exercise (exercises/NN_*.c)
# with the event trace on and TAPA_FAST=1, draw its sequence chart, and the
# solution's beside it: OUT/NN.svg, OUT/NN-solution.svg, OUT/NN.html.
set -u
step=$(printf '%02d' "$(expr "${1:?usage: trace-step.sh STEP OUT_DIR}" + 0 2>/dev/null)" 2>/dev/null) || step=$1
out=${2:?usage: trace-step.sh STEP OUT_DIR}
cd "$(dirname "$0")/../.." || exit 1
WITH_TIMEOUT=$PWD/tools/with-timeout.sh # not GNU timeout: macOS has none
: "${CC:=cc}" "${TAPA_CFLAGS:=-std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Wno-unused-parameter}"
: "${TAPA_LIB:=build/release/lib/libtapa.a}" "${TAPA_LIBS:=-luv -lcrypto -lz -lm -lpthread}"
: "${TAPA_BIN:=build/bin}"
link=
echo "int main(void){return 0;}" | $CC -fno-lto -x c - -o /dev/null 2>/dev/null && link=-fno-lto
set -- exercises/"$step"_*.c
[ -f "$1" ] || { echo "make trace: no exercise for step $step (exercises/${step}_*.c)"; exit 2; }
mine=$1
name=$(basename "$mine" .c)
mkdir -p "$out"
draw() { # draw SOURCE TAG TITLE
    # shellcheck disable=SC2086
    $CC $TAPA_CFLAGS -Iruntime/include -Iexercises "$1" -o "$out/$name-$2" "$TAPA_LIB" $TAPA_LIBS $link ||
        { echo "make trace: $1 does not compile"; return 1; }
    TAPA_FAST=1 TAPA_TRACE="$out/$step$3.trace" "$WITH_TIMEOUT" 30 "$out/$name-$2" >"$out/$step$3.out" 2>&1
    echo "make trace: $1 exited with status $? (its output: $out/$step$3.out)"
    "$TAPA_BIN/tapa-chart" -t "$4" -l '<0.100.0>=iex shell' -o "$out/$step$3.svg" "$out/$step$3.trace"
}
draw "$mine" mine "" "Your run: $mine" || exit 1
solution=solutions/$name.c
if [ -f "$solution" ]; then
    draw "$solution" solution -solution "The solution's run" || exit 1
fi
{
    echo "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Step $step: your run</title>"
    echo "<style>body{font-family:sans-serif;margin:1rem}div{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}figure{margin:0;overflow-x:auto;max-width:100%}</style></head><body>"
    echo "<h1>Step $step: your run, and the solution's</h1><div>"
    echo "<figure><img src=\"$step.svg\" alt=\"your run\"><figcaption>Your run ($mine)</figcaption></figure>"
    [ -f "$out/$step-solution.svg" ] &&
        echo "<figure><img src=\"$step-solution.svg\" alt=\"the solution's run\"><figcaption>The solution</figcaption></figure>"
    echo "</div></body></html>"
} >"$out/$step.html"
echo "make trace: your chart is $out/$step.svg; side by side with the solution's: $out/$step.html"
