# format-lessons.awk — a lesson with its C blocks in the kit's style
# (tools/check-format.sh runs it for make format and make check-format).
#
#   awk -v cf="clang-format --style=file:.clang-format" -v tmp=FILE \
#       -f tools/format-lessons.awk lessons/05_mailbox_growth.md > out.md
#
# Writes the lesson to stdout, changed only inside its C blocks:
#   ```c and ```{.c .run ...}   whole C (a program, or functions): through
#                               clang-format, as the kit's own files are
#   ```{.c from="solutions/X.c"} an excerpt, which make test-lessons wants
#                               verbatim in X: when X was reformatted, the
#                               excerpt becomes X's lines that hold the same
#                               code (the same text but for spaces and line
#                               breaks). An excerpt whose code is no longer
#                               in X at all is left alone for test-lessons
#                               to report.
# Any other block, and the prose, is copied as it is.
function strip(s) { gsub(/[ \t]/, "", s); return s }
function flush_c(    line, n, cmd) {
    printf "" > tmp
    for (i = 1; i <= nb; i++) print block[i] > tmp
    close(tmp)
    cmd = cf " --assume-filename=lesson-block.c < \"" tmp "\""
    n = 0
    while ((cmd | getline line) > 0) { print line; n++ }
    if (close(cmd) != 0 || (n == 0 && nb > 0)) {
        printf "%s:%d: clang-format failed on this block\n", FILENAME, start > "/dev/stderr"
        bad = 1
        for (i = 1; i <= nb; i++) print block[i]
    }
}
function flush_excerpt(file,    m, line, f, i, j, k, want, acc, verbatim) {
    m = 0
    while ((getline line < file) > 0) f[++m] = line
    close(file)
    # verbatim already: nothing to do
    for (i = 1; i + nb - 1 <= m; i++) {
        for (k = 1; k <= nb && f[i + k - 1] == block[k]; k++);
        if (k > nb) { verbatim = 1; break }
    }
    if (!verbatim) {
        want = ""
        for (k = 1; k <= nb; k++) want = want strip(block[k])
        for (i = 1; i <= m && want != ""; i++) {
            if (strip(f[i]) == "") continue
            acc = ""
            for (j = i; j <= m; j++) {
                acc = acc strip(f[j])
                if (acc != substr(want, 1, length(acc))) break
                if (acc == want) {
                    for (k = i; k <= j; k++) print f[k]
                    return
                }
            }
        }
    }
    for (k = 1; k <= nb; k++) print block[k]
}
!inblock && /^```/ {
    print
    info = substr($0, 4); gsub(/^[ \t]+|[ \t]+$/, "", info)
    inblock = 1; nb = 0; start = FNR; kind = ""; from = ""
    if (info == "c" || info ~ /^\{[^}]*\.c([ }])/) {
        kind = "c"
        if (info ~ /from="[^"]*"/ && info !~ /\.run([ }])/) {
            kind = "excerpt"
            from = info; sub(/.*from="/, "", from); sub(/".*/, "", from)
        }
    }
    next
}
inblock && /^```[ \t]*$/ {
    if (kind == "c") flush_c()
    else if (kind == "excerpt") flush_excerpt(from)
    else for (i = 1; i <= nb; i++) print block[i]
    print
    inblock = 0
    next
}
inblock { block[++nb] = $0; next }
{ print }
END {
    if (inblock) for (i = 1; i <= nb; i++) print block[i]
    exit bad
}
