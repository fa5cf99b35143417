/* Starts ReDoc on the API documentation page from its data-spec-url attribute: no inline script, so the page
   works under a strict Content-Security-Policy (script-src 'self'). */
(function () {
  "use strict";
  var mount = document.getElementById("redoc-ui");
  if (mount && window.Redoc) {
    window.Redoc.init(mount.getAttribute("data-spec-url"), {}, mount);
  }
})();
