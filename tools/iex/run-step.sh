#!/usr/bin/env bash
# run-step.sh STEP OUTDIR PLAIN_SHELL [tapa-iex options] — make iex STEP=05:
# link the learner's exercises/05_*.c into a shell of its own, so that
# TapaMessages.start_message_receiver_2() at the prompt runs the learner's C
# code, then start it. The exercise's main() is renamed out of the way; its
# functions are found by weak references (tools/iex/tutorial.c). When the
# exercise does not compile, the errors are shown and the plain shell starts.
# From the environment: TAPA_CC, TAPA_CFLAGS, TAPA_LIBS (set by mk/iex.mk).
set -u
step=$1 out=$2 plain=$3; shift 3
if ! [[ $step =~ ^[0-9]+$ ]]; then
  echo "make iex: STEP must be a step number, as in make iex STEP=05 (got '$step')"; exit 2
fi
n=$(printf '%02d' $((10#$step)))
dir=${TAPA_EXERCISES:-exercises} # tests point it at solutions/ or fixtures
src=$(ls "$dir"/${n}_*.c 2>/dev/null | head -1)
if [ -z "$src" ]; then
  echo "make iex: there is no exercise for step $n ($dir/${n}_*.c); the steps are 01 to 14"; exit 2
fi
mkdir -p "$out/$n"
bin="$out/$n/tapa-iex"
if ! $TAPA_CC $TAPA_CFLAGS -I"$dir" -Iexercises -Dmain=tapa_iex_exercise_main -c "$src" -o "$out/$n/exercise.o" 2> "$out/$n/compile.log"; then
  cat "$out/$n/compile.log"
  echo
  echo "make iex: $src does not compile (the errors are above); the shell starts without it,"
  echo "with the tutorial's own TapaMessages. Fix the file and run make iex STEP=$n again."
  exec "$plain" "$@"
fi
cat "$out/$n/compile.log" # warnings
if ! $TAPA_CC "$out/$n/exercise.o" -o "$bin" $TAPA_LIBS 2> "$out/$n/link.log"; then
  cat "$out/$n/link.log"
  echo
  echo "make iex: $src compiled but did not link with the shell (see above; a function of yours may"
  echo "have the name of one of the runtime's). The shell starts without it."
  exec "$plain" "$@"
fi
echo "tapa-iex with $src: TapaMessages.* runs your code (h() lists what the shell knows)"
exec "$bin" "$@"
