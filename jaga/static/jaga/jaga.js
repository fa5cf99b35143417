/* Jaga's only script besides htmx: small progressive enhancements; every page works without it. */
(function () {
  "use strict";
  // Close the phone menu after a link in it was chosen (the menu is a CSS-only checkbox toggle).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".mainnav a");
    var toggle = document.getElementById("navtoggle");
    if (link && toggle) { toggle.checked = false; }
  });
  // <button data-print> prints the page (reports use the print styles in jaga.css).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { event.preventDefault(); window.print(); }
  });
})();
