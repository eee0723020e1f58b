#!/usr/bin/env bash
# garbage.sh TAPA_IEX — hostile input loses nothing: random bytes, deep
# nesting, long operator chains, unterminated literals and calls with wrong
# arguments are errors at the prompt, and the shell still answers after them.
set -u
bin=$1
fail=0
run() { # name input-file [any-end: random input may leave an expression open]
  local out
  out=$(printf '\n:still_alive\n' | cat "$2" - | env HOME=/nonexistent "$bin" --no-history 2>&1)
  local rc=$?
  if [ $rc -eq 0 ] && { [ -n "${3:-}" ] || [ "$(printf '%s\n' "$out" | tail -1)" = ":still_alive" ]; }; then
    echo "test-iex: garbage: $1: the shell goes on: OK"
  else
    echo "test-iex: garbage: $1: FAILED (exit $rc); the end of its output:"; printf '%s\n' "$out" | tail -5; fail=1
  fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for i in 1 2 3; do head -c 4000 /dev/urandom | tr -d "\"'" > "$tmp/random$i"; run "random bytes $i" "$tmp/random$i" any-end; done
{ printf '%.0s(' $(seq 3000); echo 1; printf '%.0s1 + ' $(seq 3000); echo 1
  printf '%.0s[' $(seq 500); echo; printf '%.0s]' $(seq 500); echo
  echo 'Process.info(self(), :nope)'; echo 'Process.register(self(), :undefined)'; echo 'send(nil, 1)'
  echo ':erlang.list_to_pid(42)'; echo ':erlang.list_to_pid('"'"'<9.1.2>'"'"')'; echo 'Keyword.get(1, 2)'
  echo 'spawn(1, 2, 3)'; echo 'Process.sleep(-1)'; echo '1 / 0'; echo 'elem({}, 3)'; echo 'hd([])'
  echo 'receive do x when x > 1 -> x end'; echo 'fn x -> x end.(1, 2)'; echo 'Node.spawn(:a, fn -> 1 end)'
  echo 'f = fn f -> f.(f) end'; echo 'f.(f)'; echo 'spawn(fn -> f.(f) end)'
  echo ':"unterminated'; echo '"'; } > "$tmp/hostile"
run "deep nesting, long chains, bad arguments" "$tmp/hostile"
exit $fail
