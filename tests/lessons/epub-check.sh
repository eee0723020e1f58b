#!/bin/sh
# epub-check.sh — the course's EPUB (make lessons) through epubcheck, the
# W3C's validator: any error fails (CSS a reader does not know, a link to a
# page the book does not hold, a broken package). Warnings are shown.
# No epubcheck: SKIPPED, and how to get it.
#
#   tests/lessons/epub-check.sh build/site/tapas-in-c.epub
set -u
WITH_TIMEOUT=$(cd "$(dirname "$0")/../../tools" && pwd)/with-timeout.sh # not GNU timeout: macOS
epub=${1:?usage: epub-check.sh BOOK.epub}
[ -s "$epub" ] || { echo "epub check: FAILED: no $epub (make lessons makes it)"; exit 1; }
# Debian's /usr/bin/epubcheck is the jar itself, runnable only where binfmt
# hands jars to java; java -jar works everywhere
jar=
for j in /usr/share/java/epubcheck.jar /usr/share/java/epubcheck-*.jar /opt/homebrew/opt/epubcheck/libexec/epubcheck.jar; do
    [ -f "$j" ] && jar=$j && break
done
if [ -n "$jar" ] && command -v java >/dev/null 2>&1; then
    set -- java -jar "$jar"
elif command -v epubcheck >/dev/null 2>&1 && epubcheck --version >/dev/null 2>&1; then
    set -- epubcheck
else
    echo "epub check: SKIPPED (no epubcheck here; on Debian: apt-get install epubcheck)"
    exit 0
fi
out=$("$WITH_TIMEOUT" 300 "$@" "$epub" 2>&1)
status=$?
summary=$(echo "$out" | grep -E '^Messages:' | tail -1)
if [ $status -ne 0 ] || echo "$out" | grep -qE '^(ERROR|FATAL)'; then
    echo "$out" | grep -E '^(ERROR|FATAL|WARNING)' | sed 's/^/epub check: /'
    echo "epub check: FAILED ($summary)"
    exit 1
fi
echo "$out" | grep -E '^WARNING' | sed 's/^/epub check: /'
echo "epub check: $(basename "$epub") passes epubcheck ($summary)"
