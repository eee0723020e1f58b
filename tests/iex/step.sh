#!/usr/bin/env bash
# step.sh WORKDIR PLAIN_SHELL — make iex STEP=05 runs the learner's code:
# the starter of step 05 keeps unmatched messages (the queue grows to 1),
# the solution drops them (0); an exercise that does not compile shows its
# errors and the shell starts all the same. TAPA_CC/CFLAGS/LIBS as for make iex.
set -u
work=$1 plain=$2
mkdir -p "$work"
here=$(cd "$(dirname "$0")" && pwd)
kit=$(cd "$here/../.." && pwd)
fail=0
session='pid = TapaMessages.start_message_receiver_2()
send(pid, :unexpected)
Process.sleep(50)
Process.info(pid) |> Keyword.get(:message_queue_len)'
run() { (cd "$kit" && printf '%s\n' "$session" | TAPA_EXERCISES=$1 tools/iex/run-step.sh 05 "$work/$2" "$plain" --no-history 2>&1); }
check() { # name output expected-last-line
  if [ "$(printf '%s\n' "$2" | tail -1)" = "$3" ]; then echo "test-iex: step: $1: OK"
  else echo "test-iex: step: $1: FAILED; the shell said:"; printf '%s\n' "$2" | sed 's/^/  /'; fail=1; fi
}
# the three builds side by side (compiling is most of this test's time)
run exercises starter > "$work/starter.out" & j1=$!
run solutions solution > "$work/solution.out" & j2=$!
mkdir -p "$work/broken"
sed 's/tapa_spawn(message_receiver_2, tapa_nil());/tapa_spawn(message_receiver_2, tapa_nil()) +;/' \
  "$kit/exercises/05_mailbox_growth.c" > "$work/broken/05_mailbox_growth.c"
out=$(run "$work/broken" broken)
wait $j1 $j2
check "make iex STEP=05 runs the starter (its queue grows)" "$(cat "$work/starter.out")" 1
check "the same with the solution linked in (it drops the message)" "$(cat "$work/solution.out")" 0
if printf '%s\n' "$out" | grep -q "05_mailbox_growth.c:.*error" && printf '%s\n' "$out" | grep -q "does not compile" &&
   [ "$(printf '%s\n' "$out" | tail -1)" = 1 ]; then
  echo "test-iex: step: a compile error is shown and the shell starts without the exercise: OK"
else
  echo "test-iex: step: compile error case FAILED; the shell said:"; printf '%s\n' "$out" | sed 's/^/  /'; fail=1
fi
exit $fail
