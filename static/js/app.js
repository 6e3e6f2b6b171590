// The little JavaScript IPT owns. htmx does the rest.
"use strict";

(function () {
  // An expired login answers htmx with 401 (see ipt.middleware). Keep the page and what was
  // typed, offer a fresh login in a new tab, and retry the request when asked.
  let pendingRetry = null;

  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status !== 401) return;
    const dialog = document.getElementById("login-expired");
    const elt = event.detail.elt;
    pendingRetry = function () {
      htmx.trigger(elt, elt.tagName === "FORM" ? "submit" : "ipt:retry");
    };
    document.dispatchEvent(new CustomEvent("ipt:login-expired", { detail: { elt: elt } }));
    if (dialog && !dialog.open) dialog.showModal();
  });

  document.addEventListener("click", function (event) {
    const retry = event.target.closest("[data-retry]");
    if (!retry) return;
    const dialog = retry.closest("dialog");
    if (dialog) dialog.close();
    if (pendingRetry) {
      const again = pendingRetry;
      pendingRetry = null;
      again();
    }
    document.dispatchEvent(new CustomEvent("ipt:retry-after-login"));
  });

  // Send the current CSRF token from the cookie: logging in again (in another tab) rotates it,
  // and a page loaded before that would otherwise post a stale one.
  document.addEventListener("htmx:configRequest", function (event) {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
  });

  // Move focus to the error summary so keyboard and screen-reader users hear what to fix.
  function focusErrors() {
    const summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }
  document.addEventListener("DOMContentLoaded", focusErrors);
  document.addEventListener("htmx:afterSettle", focusErrors);
})();
