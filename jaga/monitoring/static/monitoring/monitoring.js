/* Monitoring pages: live updates (htmx polling, paused while the tab is hidden) and their "updated" note.
   Every page is complete without it; no inline script or style is needed anywhere (Content-Security-Policy). */
(function () {
  "use strict";
  // Polling requests (hx-trigger="every ...") wait while the page is hidden: a tab left open all day costs nothing.
  document.addEventListener("htmx:confirm", function (event) {
    var source = event.detail && event.detail.elt;
    if (source && source.hasAttribute("data-live") && document.visibilityState === "hidden") {
      event.preventDefault();
    }
  });
  // A failed poll (server restarting, network gone) marks the note instead of leaving stale data unexplained.
  document.addEventListener("htmx:sendError", markStale);
  document.addEventListener("htmx:responseError", markStale);
  function markStale(event) {
    var source = event.detail && event.detail.elt;
    if (!source || !source.hasAttribute("data-live")) { return; }
    var note = source.querySelector("[data-live-note]");
    if (note) { note.setAttribute("data-state", "stale"); }
  }
})();

/* Response-time charts: the value under the pointer, and a dragged span zoomed in (the server draws that span
   at a finer resolution). The SVG carries its points and axes in data-* attributes; only SVG attributes are
   set here, no inline style. Without this script the chart is the same picture without the pointer. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";

  function chartData(svg) {
    var points = (svg.getAttribute("data-points") || "").split(";").filter(Boolean).map(function (pair) {
      var parts = pair.split(",");
      return [Number(parts[0]), Number(parts[1])];
    });
    return {
      start: Number(svg.getAttribute("data-start")),
      end: Number(svg.getAttribute("data-end")),
      left: Number(svg.getAttribute("data-left")),
      plotWidth: Number(svg.getAttribute("data-plot-width")),
      topMs: Number(svg.getAttribute("data-top-ms")),
      points: points
    };
  }

  function svgX(svg, event) {
    var box = svg.viewBox.baseVal;
    var rect = svg.getBoundingClientRect();
    return box.x + (event.clientX - rect.left) * (box.width / rect.width);
  }

  function timeAt(data, x) {
    var fraction = Math.min(Math.max((x - data.left) / data.plotWidth, 0), 1);
    return data.start + fraction * (data.end - data.start);
  }

  function xAt(data, t) {
    return data.left + data.plotWidth * (t - data.start) / Math.max(data.end - data.start, 1);
  }

  function label(t) {
    var d = new Date(t * 1000);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(d.getDate()) + "/" + pad(d.getMonth() + 1) + " " + pad(d.getHours()) + "." + pad(d.getMinutes());
  }

  function show(el, on) { if (el) { el.setAttribute("visibility", on ? "visible" : "hidden"); } }

  function attach(svg) {
    if (svg.getAttribute("data-ready")) { return; }
    svg.setAttribute("data-ready", "1");
    var data = chartData(svg);
    var line = svg.querySelector(".hover-line"), dot = svg.querySelector(".hover-dot");
    var text = svg.querySelector(".hover-label"), area = svg.querySelector(".zoom-area");
    var box = svg.viewBox.baseVal, plotTop = Number(line.getAttribute("y1"));
    var plotHeight = Number(line.getAttribute("y2")) - plotTop;
    var dragFrom = null;

    svg.addEventListener("pointermove", function (event) {
      var x = svgX(svg, event);
      if (dragFrom !== null) {
        area.setAttribute("x", Math.min(dragFrom, x));
        area.setAttribute("width", Math.abs(x - dragFrom));
        show(area, true);
      }
      if (!data.points.length) { return; }
      var t = timeAt(data, x), best = data.points[0];
      data.points.forEach(function (p) { if (Math.abs(p[0] - t) < Math.abs(best[0] - t)) { best = p; } });
      var px = xAt(data, best[0]);
      var py = plotTop + plotHeight * (1 - Math.min(best[1] / data.topMs, 1));
      line.setAttribute("x1", px); line.setAttribute("x2", px);
      dot.setAttribute("cx", px); dot.setAttribute("cy", py);
      text.textContent = label(best[0]) + " · " + best[1] + " ms";
      var right = px > box.width / 2;
      text.setAttribute("x", right ? px - 6 : px + 6);
      text.setAttribute("text-anchor", right ? "end" : "start");
      show(line, true); show(dot, true); show(text, true);
    });
    svg.addEventListener("pointerleave", function () {
      show(line, false); show(dot, false); show(text, false); show(area, false); dragFrom = null;
    });
    svg.addEventListener("pointerdown", function (event) { dragFrom = svgX(svg, event); });
    svg.addEventListener("pointerup", function (event) {
      if (dragFrom === null) { return; }
      var x = svgX(svg, event), from = Math.min(dragFrom, x), to = Math.max(dragFrom, x);
      dragFrom = null; show(area, false);
      if (to - from < 8) { return; }
      var holder = svg.closest("[data-zoom-url]");
      if (!holder || !window.htmx) { return; }
      var url = holder.getAttribute("data-zoom-url") + "?from=" + Math.floor(timeAt(data, from)) +
        "&to=" + Math.ceil(timeAt(data, to));
      window.htmx.ajax("GET", url, { target: "#" + (holder.id || "chart"), swap: "outerHTML" });
    });
  }

  // A page that polls itself (the public status page) would swap a zoomed chart back to its 24 h view: the
  // zoomed charts (data-zoomed) are kept out of the swap and put back in place of their fresh copies.
  var keptZoomed = [];
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.hasAttribute("data-live")) {
      keptZoomed = Array.prototype.slice.call(target.querySelectorAll("[data-zoomed][id]"));
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var kept = keptZoomed;
    keptZoomed = [];
    kept.forEach(function (node) {
      var fresh = document.getElementById(node.id);
      if (fresh && fresh !== node) { fresh.replaceWith(node); }
    });
  });

  function attachAll() { document.querySelectorAll("svg.chart[data-points]").forEach(attach); }
  document.addEventListener("DOMContentLoaded", attachAll);
  document.addEventListener("htmx:afterSettle", attachAll);
})();
