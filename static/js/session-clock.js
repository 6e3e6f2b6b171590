// The session clock: minutes elapsed of the agreed session length, updated twice a minute.
// Without JavaScript the page shows the start time and the agreed length as text.
(function () {
  "use strict";
  function tick(clock) {
    var start = new Date(clock.dataset.start);
    var minutes = parseInt(clock.dataset.minutes, 10);
    var text = clock.querySelector("[data-clock-text]");
    if (isNaN(start.getTime()) || !minutes || !text) return;
    var elapsed = Math.floor((Date.now() - start.getTime()) / 60000);
    if (elapsed < 0 || elapsed > minutes * 3) return; // not today's hour: keep the text
    var hhmm = start.toTimeString().slice(0, 5);
    text.textContent = "Started " + hhmm + " · " + elapsed + " of " + minutes + " min" +
      (elapsed >= minutes ? " (time is up)" : " (" + (minutes - elapsed) + " left)");
    clock.classList.toggle("session-clock-late", elapsed >= minutes - 5);
  }
  // On load, and again when htmx brings a new heading (the session's status was changed).
  function start() {
    document.querySelectorAll("[data-session-clock]:not([data-clock-running])").forEach(function (clock) {
      clock.setAttribute("data-clock-running", "");
      tick(clock);
      var timer = setInterval(function () {
        if (!document.contains(clock)) return clearInterval(timer);
        tick(clock);
      }, 30000);
    });
  }
  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:afterSettle", start);
})();
