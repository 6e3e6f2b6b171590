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
    const config = event.detail.requestConfig;
    pendingRetry = function () {
      // The same request from the same element, with its values as they are now. (Triggering
      // "submit" would do nothing for the many hx-trigger="change" controls on the session page.)
      htmx.ajax(config.verb, config.path, { source: elt });
    };
    // A notice, not a modal: the focus stays where the therapist is typing (see autosave.js).
    if (dialog && !dialog.open) dialog.setAttribute("open", "");
  });

  function tryAgain(dialog) {
    if (dialog && dialog.open) dialog.close();
    if (pendingRetry) {
      const again = pendingRetry;
      pendingRetry = null;
      again();
    }
    document.dispatchEvent(new CustomEvent("ipt:retry-after-login"));
  }

  document.addEventListener("click", function (event) {
    const retry = event.target.closest("[data-retry]");
    if (!retry) return;
    tryAgain(retry.closest("dialog"));
  });

  // An autosave got through on its own (static/js/autosave.js): the login is back, so the
  // refused action goes again too, as if "Try again" had been chosen.
  document.addEventListener("ipt:login-back", function () {
    const dialog = document.getElementById("login-expired");
    if (pendingRetry || (dialog && dialog.open)) tryAgain(dialog);
  });

  // Send the current CSRF token from the cookie: logging in again (in another tab) rotates it,
  // and a page loaded before that would otherwise post a stale one. Django reads the token
  // from a form's csrfmiddlewaretoken field before the header, so both are refreshed.
  function currentCsrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    const token = currentCsrfToken();
    if (!token) return;
    event.detail.headers["X-CSRFToken"] = token;
    const data = event.detail.formData;
    if (data && data.has("csrfmiddlewaretoken")) data.set("csrfmiddlewaretoken", token);
  });
  // Plain (non-htmx) forms too: finalising, the session status, addenda...
  document.addEventListener("submit", function (event) {
    const token = currentCsrfToken();
    const field = event.target.querySelector("input[name=csrfmiddlewaretoken]");
    if (token && field) field.value = token;
  }, true);

  // Move focus to the error summary so keyboard and screen-reader users hear what to fix.
  function focusErrors() {
    const summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }
  document.addEventListener("DOMContentLoaded", focusErrors);
  document.addEventListener("htmx:afterSettle", focusErrors);

  // Half-filled step forms (inventory, timeline) ask before the page is left, as session
  // fields do: a form is "dirty" once typed in, until it is submitted or swapped away.
  const dirty = new Set();
  document.addEventListener("input", function (event) {
    const form = event.target.closest && event.target.closest("form[data-warn-leave]");
    if (form) dirty.add(form);
  });
  document.addEventListener("submit", function (event) {
    dirty.delete(event.target);
  });
  window.addEventListener("beforeunload", function (event) {
    for (const form of dirty) {
      if (!document.contains(form)) dirty.delete(form);
    }
    if (dirty.size) event.preventDefault();
  });

  // "Add an interpersonal event", "Set homework"...: the keyboard lands in the new row.
  document.addEventListener("htmx:afterSettle", function (event) {
    // (detail.elt is the settled element; the form that asked is the request's.)
    const config = event.detail.requestConfig;
    const elt = config && config.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-focus-new-row")) return;
    const target = event.detail.target;
    const row = target && target.lastElementChild;
    const field = row && row.querySelector("select, textarea, input:not([type=hidden])");
    if (field) field.focus();
  });

  // Printing (static/css/app.css, @media print). A text area prints as a box of a few lines,
  // clipping the rest: each one's printed copy follows what is typed, and is printed instead.
  function copyFor(area) {
    return area.id ? document.querySelector('[data-print-copy="' + area.id + '"]') : null;
  }
  function syncPrintCopies() {
    document.querySelectorAll("textarea").forEach(function (area) {
      const copy = copyFor(area);
      if (copy) copy.textContent = area.value;
    });
  }
  document.addEventListener("input", function (event) {
    const copy = event.target.tagName === "TEXTAREA" && copyFor(event.target);
    if (copy) copy.textContent = event.target.value;
  });
  // The running head of every printed page (who, which session, when): its words are the
  // page's, handed to the @page margin boxes as custom properties (CSSOM, so the CSP holds).
  function cssString(text) {
    return '"' + text.replace(/[\\"]/g, "\\$&").replace(/[\u0000-\u001f]/g, " ") + '"';
  }
  function printHead() {
    const head = document.querySelector("[data-print-head]");
    const root = document.documentElement;
    if (!head) return;
    root.style.setProperty("--print-head-left", cssString(head.dataset.left || ""));
    root.style.setProperty("--print-head-right", cssString(head.dataset.right || ""));
    root.setAttribute("data-print-head-set", "");
  }
  document.addEventListener("DOMContentLoaded", printHead);
  document.addEventListener("htmx:afterSettle", printHead);
  window.addEventListener("beforeprint", function () {
    syncPrintCopies();
    printHead();
  });
})();
