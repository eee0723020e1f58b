#!/bin/sh
# browser-check.sh — open every page of the lessons site in headless
# Chromium and fail on a broken image, a missing chart, a stylesheet that did
# not apply, anything loaded from the network, or a script error (each page's
# assets/check.js writes its verdict into <html data-check>). A harness page
# loads every page in an iframe (file://, no server), reads the verdicts and
# writes them into its DOM, which --dump-dom prints. Then a screenshot of
# step 7 goes to SITE/step7.png. No Chromium: SKIPPED, and why.
#
#   tests/lessons/browser-check.sh build/site build/lessons/browser
set -u
site=${1:?usage: browser-check.sh SITE_DIR WORK_DIR}
work=${2:?usage: browser-check.sh SITE_DIR WORK_DIR}
browser=
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser=$(command -v "$b"); break; fi
done
if [ -z "$browser" ]; then
    echo "browser check: SKIPPED (no chromium here; on Debian: apt-get install chromium)"
    exit 0
fi
mkdir -p "$work"
site=$(cd "$site" && pwd)
work=$(cd "$work" && pwd)
pages=$(cd "$site" && find . -name '*.html' | sed 's|^\./||' | LC_ALL=C sort)
# pages that must show charts (the issue: steps 4-8 and Part 2)
need_charts="04_ping_pong 05_mailbox_growth 06_linked_children 07_trap_exit 07a_exit_signals 08_monitor 09_node_ping 10_registered_send 11_global_pids 12_remote_spawn 13_funs_as_values 14_open_questions"
{
    cat <<'HEAD'
<!DOCTYPE html><html><head><meta charset="utf-8"><title>pending</title></head><body>
<pre id="result"></pre><div id="frames"></div>
<script>
"use strict";
var pages = [
HEAD
    for p in $pages; do
        base=$(basename "$p" .html)
        min=0
        for n in $need_charts; do [ "$n" = "$base" ] && min=1; done
        printf '  ["%s", %d],\n' "$p" "$min"
    done
    printf '];\nvar site = "file://%s/";\n' "$site"
    cat <<'TAIL'
var left = pages.length, out = [];
function verdict(p, min, frame) {
  var doc, v;
  try { doc = frame.contentDocument; v = doc.documentElement.getAttribute("data-check"); }
  catch (e) { v = "FAIL cannot read the page: " + e; }
  if (v === null) v = "FAIL no verdict (check.js did not run)";
  if (v === "OK" && min > 0) {
    var n = parseInt(doc.documentElement.getAttribute("data-charts-loaded") || "0", 10);
    if (n < min) v = "FAIL missing chart: this page must show one";
  }
  out.push((v === "OK" ? "PAGE" + "-OK " : "PAGE" + "-FAIL ") + p + (v === "OK" ? "" : ": " + v));
  if (--left === 0) {
    document.getElementById("result").textContent = out.join("\n") + "\nHARNESS" + "-DONE\n";
    document.title = "done";
  }
}
pages.forEach(function (pm) {
  var f = document.createElement("iframe");
  f.width = 1000; f.height = 800;
  f.addEventListener("load", function () { setTimeout(function () { verdict(pm[0], pm[1], f); }, 300); });
  f.src = site + pm[0];
  document.getElementById("frames").appendChild(f);
});
</script></body></html>
TAIL
} >"$work/harness.html"

flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
 --disable-component-update --disable-sync --disable-extensions --disable-default-apps --mute-audio
 --hide-scrollbars"
rm -rf "$work/profile"
# shellcheck disable=SC2086
timeout 60 "$browser" $flags --user-data-dir="$work/profile" --allow-file-access-from-files \
    --virtual-time-budget=30000 --dump-dom "file://$work/harness.html" >"$work/dom.html" 2>"$work/chromium.log"
status=$?
if ! grep -q HARNESS-DONE "$work/dom.html"; then
    echo "browser check: FAILED: Chromium did not finish the pages (status $status); see $work/chromium.log"
    tail -5 "$work/chromium.log"
    exit 1
fi
sed -e "s/^<pre id=\"result\">//" "$work/dom.html" | grep -E "^PAGE-(OK|FAIL) " | sed 's/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g' >"$work/verdicts"
total=$(grep -c '^PAGE-' "$work/verdicts")
if grep -q '^PAGE-FAIL' "$work/verdicts"; then
    grep '^PAGE-FAIL' "$work/verdicts" | sed 's/^PAGE-FAIL /browser check: FAIL /'
    exit 1
fi
rm -rf "$work/profile"
# shellcheck disable=SC2086
timeout 60 "$browser" $flags --user-data-dir="$work/profile" --window-size=1100,2600 \
    --screenshot="$site/step7.png" "file://$site/07_trap_exit.html" >/dev/null 2>>"$work/chromium.log"
rm -rf "$work/profile"
[ -s "$site/step7.png" ] || { echo "browser check: FAILED: no screenshot of step 7"; exit 1; }
echo "browser check: $total pages opened in $(basename "$browser"), no broken image, chart or page error; screenshot $site/step7.png"
