// The admin's two-box selector (SelectFilter2.js) labels its help icons with aria-label on a
// plain span, which has no role to name (WCAG 4.1.2): give each the role of an image.
(function () {
  "use strict";
  window.addEventListener("load", function () {
    window.setTimeout(function () {
      document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
        icon.setAttribute("role", "img");
      });
    }, 0);
  });
})();
