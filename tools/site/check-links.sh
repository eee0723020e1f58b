#!/bin/sh
# check-links.sh — every internal link and resource of the site resolves:
# files exist, #fragments name an id of their page, and nothing is loaded
# from the network (src=, and <link href=, must be local; <a href> to the
# web is fine). Exit 1 with one line per problem. POSIX sh and awk only.
#
#   tools/site/check-links.sh build/site
set -u
site=${1:?usage: check-links.sh SITE_DIR}
status=0
list=$(find "$site" -name '*.html' | LC_ALL=C sort)
[ -n "$list" ] || { echo "check-links: no pages in $site"; exit 1; }
abspath() { printf '%s/%s\n' "$(cd "$(dirname "$1")" && pwd -P)" "$(basename "$1")"; }
# every page's ids, as "/abs/page<TAB>id"
ids=$(for f in $list; do
    tr '\n' ' ' <"$f" | awk -v f="$(abspath "$f")" '{ s = $0
        while (match(s, / id="[^"]*"/)) { print f "\t" substr(s, RSTART + 5, RLENGTH - 6); s = substr(s, RSTART + RLENGTH) } }'
done)
for f in $list; do
    dir=$(dirname "$f")
    # tag<TAB>attr<TAB>value for every href= and src=
    tr '\n' ' ' <"$f" | awk '{ s = $0
        while (match(s, /<[a-zA-Z]+[^>]*>/)) {
            tag = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
            name = tag; sub(/^</, "", name); sub(/[ >].*/, "", name)
            t = tag
            while (match(t, / (href|src)="[^"]*"/)) {
                a = substr(t, RSTART + 1, RLENGTH - 1); t = substr(t, RSTART + RLENGTH)
                attr = a; sub(/=.*/, "", attr); val = a; sub(/^[a-z]+="/, "", val); sub(/"$/, "", val)
                print name "\t" attr "\t" val
            }
        } }' >"$site/.links"
    while IFS="$(printf '\t')" read -r tag attr val; do
        case $val in
        http:* | https:* | //*)
            if [ "$attr" = src ] || [ "$tag" = link ]; then
                echo "$f: loads $val from the network"
                status=1
            fi
            continue ;;
        mailto:* | data:*) continue ;;
        esac
        path=${val%%#*}
        frag=
        case $val in *'#'*) frag=${val#*#} ;; esac
        if [ -z "$path" ]; then target=$f; else target=$dir/$path; fi
        if [ ! -e "$target" ]; then
            echo "$f: broken link $val ($target does not exist)"
            status=1
            continue
        fi
        if [ -n "$frag" ]; then
            case $target in *.html) ;; *) continue ;; esac
            if ! printf '%s\n' "$ids" | grep -qxF "$(abspath "$target")$(printf '\t')$frag"; then
                echo "$f: broken link $val (no id \"$frag\" in $target)"
                status=1
            fi
        fi
    done <"$site/.links"
done
rm -f "$site/.links"
[ $status = 0 ] && echo "check-links: $(echo "$list" | wc -l | tr -d ' ') pages, every internal link resolves, nothing from the network"
exit $status
