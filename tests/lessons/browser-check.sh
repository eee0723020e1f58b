#!/bin/sh
# browser-check.sh — open every page of the lessons site in headless
# Chromium and fail on a broken image, a missing chart, a stylesheet that did
# not apply, anything loaded from the network, or a script error (each page's
# assets/check.js writes its verdict into <html data-check>). A harness page
# loads every page in an iframe (file://, no server), reads the verdicts and
# writes them into its DOM, which --dump-dom prints. Every page is opened at
# 1000 px and at 390 px (a phone), and fails when it scrolls sideways. Then
# screenshots: SITE/step7.png, SITE/step12.png and SITE/step12-phone.png.
# No Chromium: SKIPPED, and why.
#
#   tests/lessons/browser-check.sh build/site build/lessons/browser
set -u
WITH_TIMEOUT=$(cd "$(dirname "$0")/../../tools" && pwd)/with-timeout.sh # not GNU timeout: macOS
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
var widths = [1000, 390]; // a laptop, and a phone (390 CSS px: an iPhone 12-15)
var left = pages.length * widths.length, out = [];
// the page scrolls sideways: its content is wider than the window. Name the
// widest element that sticks out (its own scrolling box does not count).
function overflow(doc) {
  var root = doc.documentElement, w = root.clientWidth;
  if (root.scrollWidth <= w + 1) return null;
  var worst = null, right = w;
  var win = doc.defaultView;
  function clipped(el) { // inside a box that scrolls or clips: not the page's width
    for (var a = el.parentElement; a && a !== doc.body; a = a.parentElement)
      if (win.getComputedStyle(a).overflowX !== "visible") return true;
    return false;
  }
  Array.prototype.forEach.call(doc.body.querySelectorAll("*"), function (el) {
    if (clipped(el)) return;
    var r = el.getBoundingClientRect().right;
    if (r > right + 1) { right = r; worst = el; }
  });
  var what = worst ? worst.tagName.toLowerCase() + (worst.className ? "." + String(worst.className).split(" ")[0] : "") : "?";
  return "the page scrolls sideways at " + w + " px: it is " + root.scrollWidth + " px wide (" + what + " reaches " + Math.round(right) + " px)";
}
function verdict(p, min, width, frame) {
  var doc, v;
  try { doc = frame.contentDocument; v = doc.documentElement.getAttribute("data-check"); }
  catch (e) { v = "FAIL cannot read the page: " + e; }
  if (v === null) v = "FAIL no verdict (check.js did not run)";
  if (v === "OK" && min > 0) {
    var n = parseInt(doc.documentElement.getAttribute("data-charts-loaded") || "0", 10);
    if (n < min) v = "FAIL missing chart: this page must show one";
  }
  if (v === "OK") { var o = overflow(doc); if (o) v = "FAIL " + o; }
  var name = p + " at " + width + " px";
  out.push((v === "OK" ? "PAGE" + "-OK " : "PAGE" + "-FAIL ") + name + (v === "OK" ? "" : ": " + v));
  if (--left === 0) {
    document.getElementById("result").textContent = out.join("\n") + "\nHARNESS" + "-DONE\n";
    document.title = "done";
  }
}
pages.forEach(function (pm) {
  widths.forEach(function (width) {
    var f = document.createElement("iframe");
    f.width = width; f.height = 800;
    f.addEventListener("load", function () { setTimeout(function () { verdict(pm[0], pm[1], width, f); }, 300); });
    f.src = site + pm[0];
    document.getElementById("frames").appendChild(f);
  });
});
</script></body></html>
TAIL
} >"$work/harness.html"

flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
 --disable-component-update --disable-sync --disable-extensions --disable-default-apps --mute-audio
 --hide-scrollbars"
rm -rf "$work/profile"
# shellcheck disable=SC2086
"$WITH_TIMEOUT" 60 "$browser" $flags --user-data-dir="$work/profile" --allow-file-access-from-files \
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
"$WITH_TIMEOUT" 60 "$browser" $flags --user-data-dir="$work/profile" --window-size=1100,2600 \
    --screenshot="$site/step7.png" "file://$site/07_trap_exit.html" >/dev/null 2>>"$work/chromium.log"
rm -rf "$work/profile"
[ -s "$site/step7.png" ] || { echo "browser check: FAILED: no screenshot of step 7"; exit 1; }
# and a Part 2 step, on a laptop and on a phone (390 px, twice the pixels)
# shellcheck disable=SC2086
"$WITH_TIMEOUT" 60 "$browser" $flags --user-data-dir="$work/profile" --window-size=1100,2600 \
    --screenshot="$site/step12.png" "file://$site/12_remote_spawn.html" >/dev/null 2>>"$work/chromium.log"
rm -rf "$work/profile"
# shellcheck disable=SC2086
"$WITH_TIMEOUT" 60 "$browser" $flags --user-data-dir="$work/profile" --window-size=390,2400 --force-device-scale-factor=2 \
    --screenshot="$site/step12-phone.png" "file://$site/12_remote_spawn.html" >/dev/null 2>>"$work/chromium.log"
rm -rf "$work/profile"
echo "browser check: $total page views ($(echo "$pages" | wc -w | tr -d ' ') pages at 1000 and 390 px) in $(basename "$browser"), no broken image, chart, page error or sideways scrolling; screenshots $site/step7.png, step12.png, step12-phone.png"
