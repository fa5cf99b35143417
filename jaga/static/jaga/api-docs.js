/* Starts ReDoc on /api/docs from a data attribute: Jaga's CSP runs no inline script. */
(function () {
  "use strict";
  var element = document.getElementById("redoc-ui");
  Redoc.init(element.getAttribute("data-spec-url"), {}, element);
})();
