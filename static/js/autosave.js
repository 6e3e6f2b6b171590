// Autosave for the session page: every [data-autosave] text area is saved to the server a
// moment after typing stops. Nothing is kept in browser storage: until the server confirms a
// save, the text stays in the page, the status says "not saved" and the save is retried.
"use strict";

(function () {
  const PAUSE_MS = 1000;
  const MAX_RETRY_MS = 15000;
  const states = new WeakMap();
  const pending = new Set();
  // Text the server will not take (the session was finalised, the row removed elsewhere):
  // retrying cannot help, but the page must not say that everything was saved.
  const refused = new Set();
  // A form submission that leaves the page, held until the waiting text is saved.
  let afterSaving = null;

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

  // Forget text areas that are gone (a row removed with htmx): nothing is left to save.
  function forgetRemoved() {
    [pending, refused].forEach(function (set) {
      set.forEach(function (el) { if (!el.isConnected) set.delete(el); });
    });
  }

  function updateSummary(lastSaved) {
    const summary = document.getElementById("save-summary");
    if (!summary) return;
    forgetRemoved();
    if (pending.size) {
      summary.textContent = "Not saved yet: " + pending.size + " field" + (pending.size === 1 ? "" : "s") + " waiting. Your text is kept on this page and saving is retried.";
      summary.classList.add("unsaved");
    } else if (refused.size) {
      summary.textContent = "Not saved: some text on this page could not be saved (see the field marked “Not saved”). Copy it before you leave the page.";
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
    afterSaving = null;
    setStatus(el, message, "error");
    updateSummary();
    schedule(el, st.retryMs);
    st.retryMs = Math.min(st.retryMs * 2, MAX_RETRY_MS);
  }

  function loginExpired() {
    // Opened as a notice, not a modal: the caret stays in the field and every keystroke lands
    // there (showModal() would move the focus into the dialog). It is announced as an alert.
    const dialog = document.getElementById("login-expired");
    if (dialog && !dialog.open) dialog.setAttribute("open", "");
  }

  function loginBack() {
    // app.js closes the dialog and sends again the htmx action that was refused with it.
    document.dispatchEvent(new CustomEvent("ipt:login-back"));
    const dialog = document.getElementById("login-expired");
    if (dialog && dialog.open) dialog.close();
  }

  // What the server is known to hold for each field: the text the page came with, then each
  // text saved.
  const bases = new WeakMap();
  function baseText(el) {
    return bases.has(el) ? bases.get(el) : el.defaultValue;
  }

  async function save(el) {
    const st = state(el);
    if (!el.isConnected) {
      updateSummary();
      return;
    }
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
          // The text this page last knew the server to hold: a server still holding it means
          // no one else has written since, whatever the counters say (a page restored by the
          // Back button carries an old version number).
          base: baseText(el),
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
      bases.set(el, value);
      st.retryMs = 2000;
      loginBack();
      if (el.value === value && !st.again) {
        pending.delete(el);
        setStatus(el, "Saved at " + data.saved_at, "saved");
        updateSummary(data.saved_at);
        if (afterSaving && !pending.size) {
          const held = afterSaving;
          afterSaving = null;
          held.form.requestSubmit(held.submitter);
        }
      } else {
        st.again = false;
        schedule(el, 0);
      }
    } else if (response.status === 401) {
      loginExpired();
      retry(el, "Not saved: your login has expired. Log in again (a new tab is fine) and saving resumes.");
    } else if (response.status === 409) {
      afterSaving = null;
      showConflict(el, await response.json());
    } else if (response.status === 423 || response.status === 422 || response.status === 404) {
      afterSaving = null;
      // Finalised, too long to store, or the row was removed in another window: no retry
      // will succeed until the text (or the page) changes.
      const data = response.status === 404 ? { error: "this was removed in another window or tab." } : await response.json();
      pending.delete(el);
      refused.add(el);
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
    refused.delete(el);
    pending.add(el);
    setStatus(el, "Not saved yet…", "");
    updateSummary();
    schedule(el, PAUSE_MS);
  });

  // A form that leaves the page (finalising, the session status) first saves what is waiting:
  // otherwise the last words typed before "Finalise" would reach the server after the lock.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.hasAttribute("hx-post")) return;
    forgetRemoved();
    if (!pending.size) return;
    event.preventDefault();
    const waiting = Array.from(pending);
    const conflicted = waiting.find(function (el) { return state(el).conflict; });
    if (conflicted) {
      conflicted.focus();
      return;
    }
    afterSaving = { form: form, submitter: event.submitter };
    waiting.forEach(function (el) {
      clearTimeout(state(el).timer);
      save(el);
    });
  });

  function retryAll() {
    pending.forEach(function (el) { state(el).retryMs = 2000; schedule(el, 0); });
  }
  window.addEventListener("online", retryAll);
  document.addEventListener("ipt:retry-after-login", retryAll);

  window.addEventListener("beforeunload", function (event) {
    forgetRemoved();
    if (pending.size || refused.size) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
