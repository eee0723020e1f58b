#!/usr/bin/env bash
# explore.sh TAPA_IEX — every Part 1 lesson's "Explore in make iex" box
# works as printed: its lines, run by tapa-iex as a script, give no
# SyntaxError, CompileError or UndefinedFunctionError (the lesson would
# otherwise tell learners to type something the shell does not know), and
# each box prints something.
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
kit=$(cd "$here/../.." && pwd)
fail=0 n=0
for f in "$kit"/lessons/0[1-8]_*.md; do
  box=$(awk '/^## Explore in `make iex`/ { inbox = 1; next } /^## / { inbox = 0 }
             inbox && /^```elixir/ { code = 1; next } code && /^```/ { code = 0; next } code' "$f")
  if [ -z "$box" ]; then
    echo "test-iex: explore: $(basename "$f"): no Explore box with an elixir block"; fail=1; continue
  fi
  n=$((n + 1))
  out=$(printf '%s\n' "$box" | env TAPA_FAST=1 HOME=/nonexistent "$bin" --no-history 2>&1)
  if printf '%s\n' "$out" | grep -qE '\*\* \((SyntaxError|CompileError|UndefinedFunctionError|TokenMissingError)\)' ||
     [ -z "$out" ]; then
    echo "test-iex: explore: $(basename "$f"): the box's lines fail in tapa-iex:"
    printf '%s\n' "$out" | sed 's/^/  /'; fail=1
  fi
done
[ $fail -eq 0 ] && echo "test-iex: explore: the $n Part 1 Explore boxes run in tapa-iex: OK"
exit $fail
