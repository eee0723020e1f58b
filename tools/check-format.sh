#!/bin/sh
# check-format.sh — the kit's C in one style (.clang-format).
#
#   tools/check-format.sh         make check-format (in make test): lists the
#                                 files that are not formatted, and the one
#                                 command that formats them
#   tools/check-format.sh --fix   make format: formats them all in place
#
# The files: every C source and header git tracks (all of them when the kit
# is not a git checkout), and the C blocks of lessons/*.md
# (tools/format-lessons.awk: whole programs through clang-format, excerpts of
# the solutions kept verbatim in step with them).
#
# clang-format's layout changes between its versions: the tree is formatted
# by clang-format 14 (Debian 12's), so the check uses clang-format-14, or
# clang-format when it is version 14, or $CLANG_FORMAT. With another
# version it says SKIPPED (and --fix refuses), rather than fail a correct
# tree or rewrite hundreds of lines.
# The result depends only on the files: --fix run twice changes nothing the
# second time.
set -u
cd "$(dirname "$0")/.." || exit 1
WANT=14
fix=
[ "${1:-}" = --fix ] && fix=1
say() { echo "format check: $*"; }

cf=
for c in ${CLANG_FORMAT:-clang-format-$WANT clang-format}; do
    command -v "$c" >/dev/null 2>&1 && { cf=$c; break; }
done
if [ -z "$cf" ]; then
    [ -n "$fix" ] && { echo "make format needs clang-format $WANT: apt-get install clang-format (Debian 12, Ubuntu 22.04)"; exit 1; }
    say "SKIPPED: clang-format is not installed (apt-get install clang-format)"
    exit 0
fi
version=$("$cf" --version 2>/dev/null | sed -n 's/.*version \([0-9][0-9]*\)\..*/\1/p' | head -1)
if [ "$version" != "$WANT" ]; then
    why="$cf is version ${version:-unknown}, which lays out some lines unlike clang-format $WANT, the one this tree is formatted with (apt-get install clang-format-$WANT, or CLANG_FORMAT=/path/to/clang-format-$WANT)"
    [ -n "$fix" ] && { echo "make format: $why"; exit 1; }
    say "SKIPPED: $why"
    exit 0
fi
style="--style=file:$(pwd)/.clang-format"

# the C files, sorted (C locale) so that the output is the same everywhere
# (git's list when the kit is a checkout of its own, not a copy inside another)
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$(pwd -P)" ]; then
    files=$(git ls-files -- '*.c' '*.h' | LC_ALL=C sort | while read -r f; do [ -f "$f" ] && echo "$f"; done)
else
    files=$(for d in runtime tools tests exercises solutions bench; do [ -d "$d" ] && find "$d" -name "*.[ch]"; done | LC_ALL=C sort)
fi
lessons=$(ls lessons/*.md 2>/dev/null | LC_ALL=C sort)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tapa-format.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# format_lesson MD OUT: the lesson with its C blocks formatted
format_lesson() {
    awk -v cf="$cf $style" -v tmp="$tmp/block.c" -f tools/format-lessons.awk "$1" >"$2"
}

if [ -n "$fix" ]; then
    # shellcheck disable=SC2086
    "$cf" "$style" -i $files || exit 1
    for md in $lessons; do
        format_lesson "$md" "$tmp/lesson.md" || exit 1
        cmp -s "$md" "$tmp/lesson.md" || cat "$tmp/lesson.md" >"$md"
    done
    echo "make format: $(echo "$files" | wc -l | tr -d ' ') C files and the C blocks of $(echo "$lessons" | wc -l | tr -d ' ') lessons formatted (.clang-format)"
    exit 0
fi

# shellcheck disable=SC2086
"$cf" "$style" --dry-run --Werror $files >"$tmp/out" 2>&1
rc=$?
# file:line:col: error: code should be clang-formatted -> file:line, first of each file
bad=$(sed -n 's/^\(.*\):\([0-9][0-9]*\):[0-9][0-9]*: error: code should be clang-formatted.*/\1:\2/p' "$tmp/out" |
    awk -F: '!seen[$1]++')
if [ "$rc" -ne 0 ] && [ -z "$bad" ]; then
    say "clang-format could not read the files:"
    head -20 "$tmp/out"
    exit 1
fi
for md in $lessons; do
    format_lesson "$md" "$tmp/lesson.md" || exit 1
    if ! cmp -s "$md" "$tmp/lesson.md"; then
        line=$(diff "$md" "$tmp/lesson.md" | sed -n '1s/^\([0-9]*\).*/\1/p')
        bad="$bad
$md:$line"
    fi
done
bad=$(printf '%s\n' "$bad" | sed '/^$/d')
if [ -n "$bad" ]; then
    say "$(printf '%s\n' "$bad" | wc -l | tr -d ' ') files are not laid out as .clang-format says (first line that differs):"
    printf '%s\n' "$bad" | sed 's/^/  /'
    echo "Format them all with: make format"
    exit 1
fi
say "$(echo "$files" | wc -l | tr -d ' ') C files and the C blocks of $(echo "$lessons" | wc -l | tr -d ' ') lessons are formatted (clang-format $version, .clang-format): OK"
