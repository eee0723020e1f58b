# extract-blocks.awk — the C blocks of the lessons, one file each, and a
# manifest of what to do with them (tools/site/run-blocks.sh).
#
#   awk -v dir=build/lessons/blocks -f extract-blocks.awk lessons/*.md
#
# Conventions (see tools/site/README.md):
#   ```c                          top-level C (functions, declarations):
#                                 compiled inside a wrapper that includes course.h
#   ```{.c from="solutions/X.c"}  an excerpt: must appear verbatim in that file,
#                                 which must compile
#   ```{.c .run ...}              a whole program: compiled, run (TAPA_FAST=1),
#                                 its output compared with the ```output block
#                                 that follows; attributes: chart="NAME",
#                                 chart-labels="<0.100.0>=main;...",
#                                 chart-runs="NAME:ARGS;...", peer="node1@127.0.0.1"
# Manifest lines, tab-separated: lesson n kind mdline from chart peer labels runs
function attr(info, key,    re, s) {
    re = key "=\"[^\"]*\""
    if (match(info, re)) {
        s = substr(info, RSTART + length(key) + 2, RLENGTH - length(key) - 3)
        return s
    }
    return ""
}
FNR == 1 {
    lesson = FILENAME; sub(/.*\//, "", lesson); sub(/\.md$/, "", lesson)
    n = 0; inblock = 0; lastrun = ""; file = ""
}
!inblock && /^```/ {
    info = substr($0, 4); gsub(/^[ \t]+|[ \t]+$/, "", info)
    inblock = 1; file = ""; kind = ""
    if (info == "c" || info ~ /^\{[^}]*\.c([ }])/) {
        n++
        kind = "plain"
        if (info ~ /\.run([ }])/) kind = "run"
        else if (attr(info, "from") != "") kind = "from"
        file = dir "/" lesson "-" n ".c"
        printf "" > file
        printf "%s\t%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", lesson, n, kind, FNR + 1, \
            attr(info, "from"), attr(info, "chart"), attr(info, "peer"), \
            attr(info, "chart-labels"), attr(info, "chart-runs") > (dir "/manifest")
        lastrun = kind == "run" ? n : ""
    } else if (info == "output" || info ~ /^\{[^}]*\.output([ }])/) {
        if (lastrun == "") {
            printf "%s:%d: an output block must follow a {.c .run} block\n", FILENAME, FNR > "/dev/stderr"
            bad = 1
        } else {
            file = dir "/" lesson "-" lastrun ".expected"
            printf "" > file
            lastrun = ""
        }
    }
    next
}
inblock && /^```[ \t]*$/ { inblock = 0; if (file) close(file); next }
inblock { if (file) print > file; next }
END { close(dir "/manifest"); exit bad }
