// The session's status changes without reloading the page: htmx swaps #session-status (the
// heading, the status form, the reason and the "what got in the way" prompt). The clinical
// record below follows the new status (closed while the session did not take place, so that
// the reason comes first), and the keyboard stays on the form that was used, or moves to what
// went wrong. Without JavaScript the form is a plain POST and the page is reloaded.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    const config = event.detail.requestConfig;
    const from = config && config.elt;
    if (!from || !from.closest || !from.closest("#session-status")) return;
    const region = document.getElementById("session-status");
    const record = document.getElementById("clinical-form");
    if (!region) return;
    if (record) record.open = region.dataset.clinical !== "closed";
    const errors = region.querySelector("#status-errors");
    const saved = region.querySelector("#status-saved");
    const announce = document.getElementById("status-announce");
    if (errors) {
      errors.focus(); // an alert: read out as it takes the focus
    } else if (saved) {
      if (announce) announce.textContent = saved.textContent;
      // htmx gives the focus back to the button of the same id; failing that, the answer.
      if (!region.contains(document.activeElement)) {
        saved.setAttribute("tabindex", "-1");
        saved.focus();
      }
    }
  });
})();
