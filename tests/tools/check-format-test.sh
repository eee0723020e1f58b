#!/bin/sh
# check-format-test.sh — tools/check-format.sh on a small kit of its own (a
# folder outside git): a file in the other brace style, a solution whose
# lesson excerpt must follow it when it is reformatted, a lesson program, and
# blocks that are not C. The check must fail naming each file and
# `make format`; --fix must make it pass, keep the excerpt verbatim in the
# solution and leave the rest alone; a second --fix must change nothing.
# Without clang-format, or with another version than 14, it says SKIPPED.
set -u
kit=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d "${TMPDIR:-/tmp}/tapa-format-test.XXXXXX") || exit 1
trap 'rm -rf "$t"' EXIT
fail() { echo "format check test: FAIL: $*"; exit 1; }

mkdir -p "$t/kit/tools" "$t/kit/runtime" "$t/kit/solutions" "$t/kit/lessons" "$t/bin"
cp "$kit/.clang-format" "$t/kit/"
cp "$kit/tools/check-format.sh" "$kit/tools/format-lessons.awk" "$t/kit/tools/"
k=$t/kit

# another version of clang-format: SKIPPED, and make format refuses
printf '#!/bin/sh\necho "Ubuntu clang-format version 18.1.3"\n' >"$t/bin/clang-format-18"
chmod +x "$t/bin/clang-format-18"
out=$(CLANG_FORMAT="$t/bin/clang-format-18" "$k/tools/check-format.sh" 2>&1) ||
    fail "clang-format 18 made the check fail: $out"
case $out in *SKIPPED*"version 18"*"clang-format 14"*) ;; *) fail "clang-format 18 not said: $out" ;; esac
CLANG_FORMAT="$t/bin/clang-format-18" "$k/tools/check-format.sh" --fix >/dev/null 2>&1 &&
    fail "make format ran with clang-format 18"
# none at all
out=$(CLANG_FORMAT=/nonexistent/clang-format "$k/tools/check-format.sh" 2>&1) ||
    fail "no clang-format made the check fail: $out"
case $out in *"SKIPPED: clang-format is not installed (apt-get install clang-format)"*) ;;
*) fail "a missing clang-format is not said with its apt-get line: $out" ;; esac

cf=
for c in clang-format-14 clang-format; do
    command -v $c >/dev/null 2>&1 && $c --version | grep -q 'version 14\.' && { cf=$c; break; }
done
if [ -z "$cf" ]; then
    echo "format check test: clang-format missing or SKIPPED; the rest of this test SKIPPED (no clang-format 14)"
    exit 0
fi

cat >"$k/runtime/a.c" <<'EOF'
int a(int x) {
    x++;
    return x;
}
EOF
cat >"$k/solutions/s.c" <<'EOF'
int s(int x)
{
    if (x)
        return 1;
    return 0;
}
EOF
cat >"$k/lessons/l.md" <<'EOF'
# A lesson

```{.c from="solutions/s.c"}
    if (x)
        return 1;
```

```{.c from="solutions/s.c"}
    if (y) return 2;
```

```{.c .run}
int main(void) { int x=1;
return x;}
```

```output
  spaces   kept
```

```elixir
iex>   send(self(),   :hi)
```
EOF
cp "$k/lessons/l.md" "$t/l.md.before"
CLANG_FORMAT=$cf "$k/tools/check-format.sh" >"$t/out" 2>&1 && fail "an unformatted kit passed: $(cat "$t/out")"
for want in "runtime/a.c:1" "solutions/s.c:3" "lessons/l.md:" "Format them all with: make format"; do
    grep -q "$want" "$t/out" || fail "the check does not name $want: $(cat "$t/out")"
done

CLANG_FORMAT=$cf "$k/tools/check-format.sh" --fix >"$t/out" 2>&1 || fail "--fix failed: $(cat "$t/out")"
out=$(CLANG_FORMAT=$cf "$k/tools/check-format.sh" 2>&1) || fail "after --fix the check fails: $out"
sed -n 2p "$k/runtime/a.c" | grep -qx '{' || fail "a function's brace is not on its own line: $(cat "$k/runtime/a.c")"
grep -qx '    if (x) return 1;' "$k/solutions/s.c" || fail "solution not formatted: $(cat "$k/solutions/s.c")"
awk '/^```\{.c from/ { getline; print; exit }' "$k/lessons/l.md" | grep -qx '    if (x) return 1;' ||
    fail "the excerpt did not follow its solution: $(cat "$k/lessons/l.md")"
grep -qx '    if (y) return 2;' "$k/lessons/l.md" || fail "an excerpt not in its file was changed"
grep -qx '    int x = 1;' "$k/lessons/l.md" || fail "the lesson's program was not formatted: $(cat "$k/lessons/l.md")"
for keep in '  spaces   kept' 'iex>   send(self(),   :hi)' '# A lesson'; do
    grep -qxF "$keep" "$k/lessons/l.md" || fail "--fix changed what is not C: $keep"
done

cat "$k/runtime/a.c" "$k/solutions/s.c" "$k/lessons/l.md" >"$t/once"
CLANG_FORMAT=$cf "$k/tools/check-format.sh" --fix >/dev/null 2>&1 || fail "second --fix failed"
cat "$k/runtime/a.c" "$k/solutions/s.c" "$k/lessons/l.md" | cmp -s - "$t/once" ||
    fail "a second make format changed the files (not idempotent)"
echo "format check test: unformatted files named with make format, fixed, excerpts kept verbatim, idempotent; SKIPPED without clang-format 14: OK"
