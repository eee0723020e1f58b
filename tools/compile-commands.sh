#!/bin/sh
# compile-commands.sh OUT CC -- FLAGS... -- FILE... [-- FLAGS... -- FILE...]
# Writes OUT, a compile_commands.json (the JSON Compilation Database that
# clangd reads) with one entry per FILE: CC FLAGS -c FILE, run from the
# kit's top folder. Groups of files may each have their own flags. It is
# rewritten only when its content changes, so make stays quiet.
set -u
out=${1:?usage: compile-commands.sh OUT CC -- FLAGS... -- FILES...}
cc=$2
shift 2
dir=$(pwd)
tmp=$out.tmp.$$
json() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }
{
    echo "["
    sep=""
    while [ $# -gt 0 ]; do
        [ "$1" = -- ] || { echo "compile-commands: expected --, got $1" >&2; exit 2; }
        shift
        flags=""
        while [ $# -gt 0 ] && [ "$1" != -- ]; do flags="$flags \"$(json "$1")\","; shift; done
        shift
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
            f=$1
            shift
            printf '%s  {"directory": "%s", "file": "%s",\n   "arguments": ["%s",%s "-c", "%s"]}' \
                "$sep" "$(json "$dir")" "$(json "$f")" "$(json "$cc")" "$flags" "$(json "$f")"
            sep=",
"
        done
    done
    echo
    echo "]"
} >"$tmp" || { rm -f "$tmp"; exit 1; }
if cmp -s "$tmp" "$out"; then rm -f "$tmp"; else mv "$tmp" "$out"; fi
