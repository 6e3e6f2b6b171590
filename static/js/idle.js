// The idle warning: two minutes before an idle login would end, a notice (role=status, so it
// is announced without taking the focus or the caret) offers "Stay signed in". Any request to
// the server renews the idle time, so htmx requests and autosave's fetches restart the clock.
"use strict";

(function () {
  const idleSeconds = Number(document.body.dataset.idleSeconds || 0);
  const notice = document.getElementById("idle-warning");
  if (!idleSeconds || !notice) return;
  const WARN_BEFORE = Math.min(120, idleSeconds / 2);
  let warnTimer = null;
  let endTimer = null;

  function restart() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    notice.hidden = true;
    notice.querySelector("[data-idle-message]").textContent = "";
    notice.querySelector("button").hidden = false;
    warnTimer = setTimeout(function () {
      notice.hidden = false;
      // Shown first, then written, so that screen readers announce the new text.
      setTimeout(function () {
        notice.querySelector("[data-idle-message]").textContent =
          "You will be signed out in 2 minutes because nothing has been saved or opened. " +
          "What you have typed stays on the page.";
      }, 50);
    }, (idleSeconds - WARN_BEFORE) * 1000);
    endTimer = setTimeout(function () {
      notice.querySelector("[data-idle-message]").textContent =
        "You have been signed out after a period of inactivity. What you typed is still here: " +
        "it is saved once you log in again.";
      notice.querySelector("button").hidden = true;
    }, idleSeconds * 1000);
  }

  const originalFetch = window.fetch;
  window.fetch = function () {
    return originalFetch.apply(this, arguments).then(function (response) {
      if (response.ok) restart();
      return response;
    });
  };
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) restart();
  });
  notice.querySelector("button").addEventListener("click", function () {
    const token = document.querySelector("[name=csrfmiddlewaretoken]");
    const cookie = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    fetch(notice.dataset.url, {
      method: "POST",
      headers: { "X-CSRFToken": cookie ? cookie[1] : token ? token.value : "" },
      credentials: "same-origin",
    });
  });
  restart();
})();
