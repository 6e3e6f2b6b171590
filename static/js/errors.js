// GOV.UK error pattern: when a form comes back with errors, the page title starts with
// "Error: " and the error summary takes focus, on load and after an htmx swap.
(function () {
  "use strict";

  function announceErrors(root) {
    var summary = root.querySelector("#error-summary");
    if (!document.querySelector("#error-summary")) {
      document.title = document.title.replace(/^Error: /, "");
      return;
    }
    if (!summary) return;
    if (document.title.indexOf("Error: ") !== 0) document.title = "Error: " + document.title;
    summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { announceErrors(document); });
  document.addEventListener("htmx:afterSettle", function (event) { announceErrors(event.target); });
})();
