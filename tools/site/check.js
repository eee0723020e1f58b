/* check.js — the page checks itself for the browser test (make test): a
 * broken image, a missing chart, a stylesheet that did not apply, anything
 * fetched from the network, or a script error. The verdict goes in
 * <html data-check="OK"> or data-check="FAIL ...". Nothing else happens. */
(function () {
  "use strict";
  var errors = [], loaded = false;
  function mark() {
    document.documentElement.setAttribute("data-check",
      errors.length ? "FAIL " + errors.join(" | ") : (loaded ? "OK" : "pending"));
  }
  function fail(msg) { errors.push(msg); mark(); }
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && (t.src || t.href)) fail("could not load " + (t.getAttribute("src") || t.getAttribute("href")));
    else fail("script error: " + (e.message || "unknown"));
  }, true);
  window.addEventListener("unhandledrejection", function (e) { fail("unhandled rejection: " + e.reason); });
  window.addEventListener("load", function () {
    var imgs = document.images, charts = 0;
    for (var i = 0; i < imgs.length; i++) {
      var img = imgs[i], src = img.getAttribute("src") || "";
      if (!img.complete || img.naturalWidth === 0) fail("broken image " + src);
      if (/(^|\/)charts\/[^\/]+\.svg$/.test(src)) charts++;
    }
    var want = document.body.getAttribute("data-charts");
    if (want !== null && charts < parseInt(want, 10)) fail("missing chart: " + charts + " of " + want);
    document.documentElement.setAttribute("data-charts-loaded", String(charts));
    var css = getComputedStyle(document.documentElement).getPropertyValue("--tapa-css").trim();
    if (css !== "1") fail("the stylesheet did not apply");
    if (window.performance && performance.getEntriesByType) {
      performance.getEntriesByType("resource").forEach(function (r) {
        if (!/^(file|data|blob|about):/.test(r.name)) fail("fetched from the network: " + r.name);
      });
    }
    loaded = true;
    mark();
  });
  mark();
})();
