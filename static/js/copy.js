// "Copy the link" on the questionnaire link page; without JavaScript the field is selectable.
"use strict";

(function () {
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    const field = document.getElementById(button.dataset.copy);
    const status = document.querySelector("[data-copy-status]");
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { if (status) status.textContent = "Copied."; },
        function () { field.select(); if (status) status.textContent = "Select the link and copy it."; }
      );
    });
  });
})();
