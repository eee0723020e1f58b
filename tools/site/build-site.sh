#!/bin/sh
# build-site.sh — the lessons as a site, an EPUB and man pages, with pandoc.
#
#   tools/site/build-site.sh SITE_DIR MAN_DIR
#
# SITE_DIR/index.html and one page per lesson (previous/next links, a table
# of contents, highlighted C), SITE_DIR/tapas-in-c.epub, SITE_DIR/man/*.html
# and MAN_DIR/*.1 from docs/man/*.md. The charts must already be in
# SITE_DIR/charts (tools/site/run-blocks.sh draws them). Any pandoc warning
# fails the build (--fail-if-warnings); so does a broken internal link
# (tools/site/check-links.sh). POSIX sh and awk only.
set -eu
site=${1:?usage: build-site.sh SITE_DIR MAN_DIR}
man=${2:?usage: build-site.sh SITE_DIR MAN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
mkdir -p "$site/assets" "$site/man" "$man"
cp "$here/style.css" "$here/check.js" "$site/assets/"
tmp=$site/.work
rm -rf "$tmp" && mkdir -p "$tmp"

PANDOC="pandoc --fail-if-warnings"
common="--from markdown --to html5 --standalone --template $here/template.html
        --lua-filter $here/lesson.lua --highlight-style tango"

# title of a lesson: its first heading; short: "01 · Every process has a mailbox"
title_of() { sed -n '1s/^# *//p' "$1"; }
short_of() { title_of "$1" | sed -e 's/^Step *//' -e 's/ *— */ · /'; }

lessons=$(ls lessons/[0-9][0-9]*.md | LC_ALL=C sort)
prev=
set -- $lessons
for f in $lessons; do
    shift
    base=$(basename "$f" .md)
    next=${1:-}
    teaches=$(awk -F '|' -v b="$base" '$1 == b { print $2 }' "$here/steps.txt")
    [ -n "$teaches" ] || { echo "build-site: $base has no line in tools/site/steps.txt"; exit 1; }
    ph= pt= nh= nt=
    [ -n "$prev" ] && ph=$(basename "$prev" .md).html pt=$(short_of "$prev")
    [ -n "$next" ] && nh=$(basename "$next" .md).html nt=$(short_of "$next")
    charts=$(grep -o '](charts/[^)]*\.svg)' "$f" | wc -l | tr -d ' ')
    # shellcheck disable=SC2086
    $PANDOC $common --toc --toc-depth 2 --shift-heading-level-by=-1 \
        -M pagetitle="$(title_of "$f")" -V root= -V charts="$charts" \
        -V prev-href="$ph" -V prev-title="$pt" -V next-href="$nh" -V next-title="$nt" \
        -o "$site/$base.html" "$f"
    prev=$f
done

# the index: the steps and what each teaches
{
    echo '---'
    echo 'title: Tapas in C'
    echo 'pagetitle: The course'
    echo '---'
    cat <<'INTRO'
A course in Erlang-style message passing (processes, mailboxes, links,
`trap_exit`, monitors, distributed nodes) for people who write C. Each step
replays a step of the Elixir tutorial with the kit's C runtime, *libtapa*:
you predict, write a few lines, run `make NN`, and the grader checks it.
The programs on these pages are compiled and run by `make test`, and the
sequence charts are drawn from real runs by `tapa-chart`.

## Part 1 — one node

::: steps
INTRO
    n=0
    for f in $lessons; do
        base=$(basename "$f" .md)
        case $base in 09_*) printf ':::\n\n## Part 2 — two nodes\n\n::: steps\n' ;; esac
        teaches=$(awk -F '|' -v b="$base" '$1 == b { print $2 }' "$here/steps.txt")
        printf -- '- [%s](%s.html)  \n  %s\n' "$(title_of "$f")" "$base" "$teaches"
    done
    cat <<'OUTRO'
:::

## Take it with you

- [The whole course as one EPUB](tapas-in-c.epub), charts included, for a reader or a phone.
- The commands' manual pages: [tapa-node(1)](man/tapa-node.1.html),
  [tapa-epmd(1)](man/tapa-epmd.1.html), [tapa-grade(1)](man/tapa-grade.1.html),
  [tapa-chart(1)](man/tapa-chart.1.html), [tapa-iex(1)](man/tapa-iex.1.html); `man -l build/man/tapa-node.1` in a terminal.

## How to read the charts

Each process is a column, headed by its name and pid; time runs down, and the
left margin gives it in milliseconds since the run started. Solid blue arrows
are messages, labelled with the term; a message that is taken later is drawn
slanted, down to the moment its receiver took it, and one that nobody takes
ends in an envelope. A double line is a link; a dashed red arrow is an exit
signal; an orange diamond is where `trap_exit` turned a signal into an
`{:EXIT, ...}` message; dotted green arrows are monitors and `DOWN` messages;
a cross is a process ending, with its reason. In Part 2 the columns are
grouped by node, and green and red bands show connections made and lost.
`make trace STEP=NN` draws the chart of your own run.
OUTRO
} >"$tmp/index.md"
# shellcheck disable=SC2086
$PANDOC $common -V root= -o "$site/index.html" "$tmp/index.md"

# man pages: roff for man(1), and HTML for the site
for m in docs/man/*.md; do
    name=$(basename "$m" .md) # tapa-node.1
    $PANDOC --from markdown --to man --standalone -o "$man/$name" "$m"
    # shellcheck disable=SC2086
    $PANDOC $common --toc --toc-depth 2 -V root=../ -M pagetitle="$name" -o "$site/man/$name.html" "$m"
done

# the EPUB: every lesson, one chapter each, charts embedded
{
    echo '---'
    echo 'title: Tapas in C'
    echo 'subtitle: Erlang-style message passing, for C programmers'
    echo 'lang: en'
    echo '---'
} >"$tmp/epub-meta.md"
# EPUB readers (and epubcheck) take CSS 2 and a little 3: not :has(), which
# the site uses to widen charts beyond the text column. In a reader a chart
# fits the page's width instead.
{
    grep -v ':has(' "$here/style.css"
    echo 'figure { overflow: visible; } figure img.chart, img.chart { max-width: 100%; height: auto; }'
} >"$tmp/epub.css"
# shellcheck disable=SC2086
$PANDOC --from markdown --to epub3 --toc --toc-depth 1 --epub-chapter-level 1 \
    --lua-filter "$here/lesson.lua" --highlight-style tango --css "$tmp/epub.css" \
    --resource-path "$site" -o "$site/tapas-in-c.epub" "$tmp/epub-meta.md" $lessons

rm -rf "$tmp"
"$here/check-links.sh" "$site"
echo "lessons: site in $site ($(ls "$site"/*.html | wc -l | tr -d ' ') pages, EPUB, $(ls "$man" | wc -l | tr -d ' ') man pages in $man)"
