// A reservation's conversation: polls the thread while the tab is visible, and sends a new
// message without leaving the page. The page works without it (the form posts, the page reloads).
(() => {
  "use strict";
  const root = document.getElementById("conversation");
  if (!root) return;
  const POLL_EVERY_MS = 3000;
  const list = root.querySelector(".conversation-thread");
  const form = root.querySelector(".conversation-form");
  let seen = "";
  let timer = null;
  let polling = false;
  let again = false;

  function item(said) {
    const li = document.createElement("li");
    li.className = said.mine ? "said mine" : "said";
    li.dataset.id = said.id;
    const author = document.createElement("strong");
    author.textContent = said.author;
    const at = document.createElement("time");
    at.dateTime = said.at;
    at.textContent = said.at_label;
    li.append(author, " ", at);
    if (said.via === "sms") {
      const via = document.createElement("span");
      via.className = "via";
      via.textContent = root.dataset.bySms;
      li.append(" · ", via);
    }
    const body = document.createElement("p");
    body.textContent = said.body;  // CSS keeps its line breaks
    li.append(body);
    return li;
  }

  function show(thread) {
    const fingerprint = thread.messages.map((said) => said.id).join(",");
    if (fingerprint === seen) return;
    seen = fingerprint;
    list.replaceChildren(...thread.messages.map(item));
    if (!thread.open && form) form.hidden = true;
  }

  async function poll() {
    clearTimeout(timer);
    timer = null;
    if (document.visibilityState !== "visible") return;  // see visibilitychange
    if (polling) {
      again = true;  // asked while a poll is on its way: ask once it is back
      return;
    }
    polling = true;
    try {
      const response = await fetch(root.dataset.url, { headers: { Accept: "application/json" } });
      if (response.ok) show(await response.json());
    } finally {
      polling = false;
      if (again) {
        again = false;
        poll();
      } else if (timer === null && document.visibilityState === "visible") {
        timer = setTimeout(poll, POLL_EVERY_MS);
      }
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") poll();
    else clearTimeout(timer);
  });

  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector(".error");
    const response = await fetch(root.dataset.url, {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRFToken": root.dataset.csrfToken },
      body: new FormData(form),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      form.reset();
      error.hidden = true;
      show(answer);
    } else {
      error.textContent = answer.error || response.statusText;
      error.hidden = false;
    }
  });

  seen = Array.from(list.children, (li) => li.dataset.id).join(",");
  timer = setTimeout(poll, POLL_EVERY_MS);
})();
