// Autosave for the session page: every [data-autosave] text area is saved to the server a
// moment after typing stops. Nothing is kept in browser storage: until the server confirms a
// save, the text stays in the page, the status says "not saved" and the save is retried.
"use strict";

(function () {
  const PAUSE_MS = 1000;
  const MAX_RETRY_MS = 15000;
  const states = new WeakMap();
  const pending = new Set();

  function state(el) {
    if (!states.has(el)) states.set(el, { timer: null, inflight: false, again: false, retryMs: 2000, conflict: false });
    return states.get(el);
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function setStatus(el, text, kind) {
    const status = document.getElementById(el.id + "-status");
    if (!status) return;
    status.textContent = text;
    status.className = "autosave-status " + (kind || "");
  }

  function updateSummary(lastSaved) {
    const summary = document.getElementById("save-summary");
    if (!summary) return;
    if (pending.size) {
      summary.textContent = "Not saved yet: " + pending.size + " field" + (pending.size === 1 ? "" : "s") + " waiting. Your text is kept on this page and saving is retried.";
      summary.classList.add("unsaved");
    } else {
      summary.textContent = lastSaved ? "All changes saved at " + lastSaved + "." : "Everything you type is saved as you go.";
      summary.classList.remove("unsaved");
    }
  }

  function schedule(el, delay) {
    const st = state(el);
    clearTimeout(st.timer);
    st.timer = setTimeout(function () { save(el); }, delay);
  }

  function retry(el, message) {
    const st = state(el);
    setStatus(el, message, "error");
    updateSummary();
    schedule(el, st.retryMs);
    st.retryMs = Math.min(st.retryMs * 2, MAX_RETRY_MS);
  }

  function loginExpired() {
    const dialog = document.getElementById("login-expired");
    if (dialog && !dialog.open) dialog.showModal();
  }

  function loginBack() {
    const dialog = document.getElementById("login-expired");
    if (dialog && dialog.open) dialog.close();
  }

  async function save(el) {
    const st = state(el);
    if (st.conflict) return;
    if (st.inflight) { st.again = true; return; }
    st.inflight = true;
    const value = el.value;
    setStatus(el, "Saving…", "saving");
    let response;
    try {
      response = await fetch(el.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        // HX-Request makes an expired login answer 401 instead of redirecting (ipt.middleware).
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
        body: new URLSearchParams({
          target: el.dataset.target,
          field: el.dataset.field,
          version: el.dataset.version,
          value: value,
        }),
      });
    } catch (error) {
      st.inflight = false;
      retry(el, "Not saved: no connection to the server. Retrying…");
      return;
    }
    st.inflight = false;

    if (response.ok) {
      const data = await response.json();
      el.dataset.version = data.version;
      st.retryMs = 2000;
      loginBack();
      if (el.value === value && !st.again) {
        pending.delete(el);
        setStatus(el, "Saved at " + data.saved_at, "saved");
        updateSummary(data.saved_at);
      } else {
        st.again = false;
        schedule(el, 0);
      }
    } else if (response.status === 401) {
      loginExpired();
      retry(el, "Not saved: your login has expired. Log in again (a new tab is fine) and saving resumes.");
    } else if (response.status === 409) {
      showConflict(el, await response.json());
    } else if (response.status === 423) {
      pending.delete(el);
      const data = await response.json();
      setStatus(el, "Not saved: " + data.error, "error");
      updateSummary();
    } else {
      retry(el, "Not saved: the server could not save just now (" + response.status + "). Retrying…");
    }
  }

  function showConflict(el, data) {
    const st = state(el);
    st.conflict = true;
    setStatus(el, "Not saved: this text was also changed in another window.", "error");
    const box = document.createElement("div");
    box.className = "conflict";
    box.setAttribute("role", "alert");
    const intro = document.createElement("p");
    intro.textContent = data.message + " Your text is in the box above. The other version is:";
    const theirs = document.createElement("pre");
    theirs.textContent = data.theirs || "(empty)";
    const actions = document.createElement("div");
    actions.className = "actions";
    const keep = document.createElement("button");
    keep.type = "button";
    keep.textContent = "Keep my text";
    const use = document.createElement("button");
    use.type = "button";
    use.className = "secondary";
    use.textContent = "Use the other version";
    actions.append(keep, use);
    box.append(intro, theirs, actions);
    el.insertAdjacentElement("afterend", box);
    keep.focus();

    function resolve() {
      box.remove();
      st.conflict = false;
      el.dataset.version = data.version;
      el.focus();
    }
    keep.addEventListener("click", function () { resolve(); save(el); });
    use.addEventListener("click", function () {
      el.value = data.theirs;
      resolve();
      pending.delete(el);
      setStatus(el, "Using the version from the other window.", "saved");
      updateSummary();
    });
  }

  document.addEventListener("input", function (event) {
    const el = event.target;
    if (!(el instanceof HTMLTextAreaElement) || !el.hasAttribute("data-autosave")) return;
    pending.add(el);
    setStatus(el, "Not saved yet…", "");
    updateSummary();
    schedule(el, PAUSE_MS);
  });

  function retryAll() {
    pending.forEach(function (el) { state(el).retryMs = 2000; schedule(el, 0); });
  }
  window.addEventListener("online", retryAll);
  document.addEventListener("ipt:retry-after-login", retryAll);

  window.addEventListener("beforeunload", function (event) {
    if (pending.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
