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
