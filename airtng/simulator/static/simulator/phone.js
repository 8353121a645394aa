// The phone simulator's page: it renders what the server's phone did, and sends it the keys.
// The server interprets the TwiML (airtng/simulator/twiml.py); nothing here plays it.
(() => {
  "use strict";
  const root = document.getElementById("simulator");
  const urls = JSON.parse(document.getElementById("simulator-urls").textContent);
  const paths = JSON.parse(document.getElementById("simulator-paths").textContent);
  const strings = JSON.parse(document.getElementById("simulator-strings").textContent);
  const airtngNumber = root.dataset.airtngNumber;
  const csrf = root.dataset.csrfToken;
  const POLL_EVERY_MS = 1500;
  const $ = (id) => document.getElementById(id);
  const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
  // The Airtng number this phone texts and calls: Airtng's own, or a proxy number.
  const dialled = () => $("phone-to").value || airtngNumber;
  // A status callback cannot move these on: nothing left to simulate.
  const FINAL = new Set(["delivered", "undelivered", "failed"]);
  let phone = "";
  let call = null; // {id, ended}: the call the server plays for this page
  let moves = Promise.resolve(); // a call's moves go to the server one after the other
  let ringing = null;

  async function post(url, fields) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      body: new URLSearchParams(fields),
    });
    const answer = await response.json().catch(() => ({}));
    return { ok: response.ok, answer };
  }

  function problem(text) {
    $("problem").textContent = text || "";
    $("problem").hidden = !text;
  }

  function timeOf(label) {
    const at = document.createElement("time");
    at.textContent = label;
    return at;
  }

  // --- Polls: one in flight at a time, for the phone they name, none in a hidden tab ---------
  function poller(url, show) {
    let timer = null;
    let polling = false;
    let again = false;
    async function poll() {
      clearTimeout(timer);
      timer = null;
      if (!phone || document.visibilityState !== "visible") return;
      if (polling) {
        again = true; // asked while a poll is on its way: ask once it is back
        return;
      }
      polling = true;
      const asked = phone;
      try {
        const response = await fetch(url + "?" + new URLSearchParams({ number: asked }));
        const answer = await response.json().catch(() => ({}));
        if (asked !== phone) return; // the phone changed meanwhile: not this phone's news
        if (response.ok) show(answer);
        else problem(answer.error || strings.unreachable);
      } catch {
        problem(strings.unreachable);
      } finally {
        polling = false;
        if (again) {
          again = false;
          poll();
        } else if (timer === null && phone && document.visibilityState === "visible") {
          timer = setTimeout(poll, POLL_EVERY_MS);
        }
      }
    }
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") poll();
      else clearTimeout(timer);
    });
    return poll;
  }

  // --- Messages ------------------------------------------------------------------------------
  let seen = "";

  function bubble(cls, text, meta, at) {
    const item = document.createElement("li");
    item.className = "bubble " + cls;
    const body = document.createElement("p");
    // A decision link in an SMS opens as it would on a phone.
    for (const part of text.split(/((?:https?:\/\/[^\s/]+)?\/d\/\S+)/)) {
      if (!/\/d\/\S+$/.test(part)) { body.append(part); continue; }
      const link = document.createElement("a");
      link.href = part;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = part;
      body.append(link);
    }
    item.append(body);
    const small = document.createElement("small");
    if (at) small.append(timeOf(at), " · ");
    const status = document.createElement("span");
    status.className = "status";
    status.textContent = meta;
    small.append(status);
    item.append(small);
    return item;
  }

  function showThread({ messages, proxies, opted_out }) {
    $("opt-out").textContent = opted_out ? strings.opted_out : strings.opted_in;
    $("opt-out").className = opted_out ? "opt-out stopped" : "opt-out";
    const fingerprint = JSON.stringify([messages.map((m) => [m.id, m.status, m.reply]), proxies]);
    if (fingerprint === seen) return;
    seen = fingerprint;
    showProxies(proxies || {});
    const items = [];
    for (const message of messages) {
      const side = message.airtng_side && message.airtng_side !== airtngNumber
        ? " · " + format(strings.via, { number: message.airtng_side }) : "";
      if (message.direction === "in") {
        items.push(bubble("from-phone", message.body, message.status_label + side, message.at_label));
        if (message.reply) items.push(bubble("to-phone reply", message.reply, strings.airtng, message.at_label));
        continue;
      }
      const item = bubble("to-phone", message.body, message.status_label + side, message.at_label);
      item.dataset.status = message.status;
      if (message.sid && !FINAL.has(message.status)) {
        for (const [status, label] of [["delivered", strings.delivered], ["failed", strings.failed]]) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "link";
          button.textContent = label;
          button.addEventListener("click", () => markSms(message.sid, status));
          item.append(button);
        }
      }
      items.push(item);
    }
    $("thread").replaceChildren(...items);
    $("thread").lastElementChild?.scrollIntoView({ block: "nearest" });
  }

  // Which conversation each proxy number serves for this phone.
  function showProxies(proxies) {
    for (const option of $("phone-to").querySelectorAll("option[data-number]")) {
      const number = option.dataset.number;
      option.textContent = number + " — " + (proxies[number] || strings.no_conversation);
    }
    const list = $("proxies");
    if (!list) return;
    list.replaceChildren(...Object.entries(proxies).map(([number, label]) => {
      const item = document.createElement("li");
      const strong = document.createElement("strong");
      strong.textContent = number;
      item.append(strong, " " + label);
      return item;
    }));
  }

  const pollThread = poller(urls.messages, showThread);

  async function sendSms(body) {
    if (!phone) return problem(strings.pick_phone);
    const { ok, answer } = await post(urls.sms_send, { number: phone, to: dialled(), body });
    problem(ok ? "" : answer.error || strings.unreachable);
    pollThread();
  }

  async function markSms(sid, status) {
    const { ok, answer } = await post(urls.sms_status, { number: phone, sid, status });
    problem(ok ? "" : answer.error || strings.unreachable);
    pollThread();
  }

  // --- Calls: the server plays them; the page shows each step --------------------------------
  function speak(step) {
    if (!$("sound").checked || !("speechSynthesis" in window)) return;
    const utterance = new SpeechSynthesisUtterance(step.text);
    if (step.language) utterance.lang = step.language;
    speechSynthesis.speak(utterance);
  }

  function show(text, cls, at) {
    const line = document.createElement("p");
    line.className = cls;
    if (at) line.append(timeOf(at), " ");
    const words = document.createElement("span");
    words.textContent = text;
    line.append(words);
    $("screen").append(line);
    line.scrollIntoView({ block: "nearest" });
  }

  function render(played) {
    for (const step of played.steps) {
      if (step.kind === "request") {
        const item = document.createElement("li");
        const request = document.createElement("code");
        request.textContent = step.text;
        const twiml = document.createElement("pre");
        twiml.textContent = step.twiml;
        item.append(timeOf(step.at_label), " ", request, twiml);
        $("call-log").append(item);
      }
      if (!step.on_screen) continue;
      const cls = { gather: "prompt", press: "key", dial: "dial", error: "error" }[step.kind] || "say";
      let text = step.text;
      if (step.kind === "say" && step.loop !== 1) text += ` (×${step.loop})`;
      show(text, cls, step.at_label);
      if (step.kind === "say") speak(step);
    }
    $("waiting").textContent = played.waiting_label || "";
    if (played.reported) $("screen").dataset.reported = played.reported;
    if (played.ended) ended();
    else setKeypad(Boolean(played.waiting));
  }

  function setKeypad(listening) {
    for (const key of $("keypad").querySelectorAll("button")) key.disabled = !listening;
    $("wait").disabled = !listening;
    $("hang-up").disabled = !call || call.ended;
  }

  function ended() {
    if (call) call.ended = true;
    if ("speechSynthesis" in window) speechSynthesis.cancel();
    show(strings.call_ended, "ended");
    setKeypad(false);
  }

  function newCall(intro) {
    if (call && !call.ended) move("hang-up"); // a new call replaces the one in progress
    const current = { id: null, ended: false };
    call = current;
    $("screen").replaceChildren();
    $("call-log").replaceChildren();
    $("waiting").textContent = "";
    show(intro, "prompt");
    return current;
  }

  function begin(url, fields, intro) {
    if (!phone) return problem(strings.pick_phone);
    const current = newCall(intro);
    moves = moves.then(async () => {
      const { ok, answer } = await post(url, fields);
      if (call !== current) return;
      if (!ok) {
        show(answer.error || strings.unreachable, "error");
        return ended();
      }
      current.id = answer.id;
      problem("");
      render(answer);
    });
  }

  function move(name, fields = {}) {
    const current = call;
    moves = moves.then(async () => {
      if (!current?.id || (current.ended && name !== "hang-up")) return;
      const url = urls.call_move.replace("CALL", encodeURIComponent(current.id)).replace("MOVE", name);
      const { ok, answer } = await post(url, fields);
      if (call !== current) return; // replaced: the old call's end is not shown
      if (ok) render(answer);
      else {
        show(answer.error || strings.unreachable, "error");
        ended();
      }
    });
  }

  function startCall(line) {
    const path = paths[line];
    // A linked call names its webhook; the two lines are named by the server's choice.
    const which = line === "dialled" ? { path } : { line };
    begin(urls.call_start, { number: phone, to: dialled(), ...which }, format(strings.calling, { path }));
  }

  // --- Calls Airtng places to this phone: it rings; answering is a call the server plays -----
  const pollCalls = poller(urls.calls, ({ calls }) => {
    if (call && !call.ended) return;
    ringing = calls[0] || null;
    $("incoming").hidden = !ringing;
    if (ringing) $("incoming-text").textContent = format(strings.incoming, { number: phone });
  });

  function answerCall() {
    if (!ringing) return;
    ringing = null;
    $("incoming").hidden = true;
    begin(urls.call_answer, { number: phone }, strings.answered);
  }

  async function refuseCall(status) {
    if (!ringing) return;
    ringing = null;
    $("incoming").hidden = true;
    const { ok, answer } = await post(urls.call_refuse, { number: phone, status });
    $("screen").replaceChildren();
    if (ok) {
      $("screen").dataset.reported = answer.reported;
      show(strings[status === "busy" ? "was_busy" : "not_answered"], "ended");
    } else show(answer.error || strings.unreachable, "error");
  }

  // --- Wiring --------------------------------------------------------------------------------
  function usePhone(number) {
    phone = number.trim();
    $("current-phone").textContent = phone || "—";
    $("opt-out").textContent = "";
    seen = "";
    problem("");
    $("thread").replaceChildren();
    pollThread();
    pollCalls();
  }

  $("phone-user").addEventListener("change", (event) => {
    $("phone-number").value = event.target.value;
    usePhone(event.target.value);
  });
  $("phone-number").addEventListener("change", (event) => usePhone(event.target.value));
  $("sms-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const body = $("sms-body").value;
    $("sms-body").value = "";
    sendSms(body);
  });
  $("call-voice").addEventListener("click", () => startCall("voice"));
  $("call-ivr").addEventListener("click", () => startCall("ivr"));
  $("call-dialled")?.addEventListener("click", () => startCall("dialled"));
  $("hang-up").addEventListener("click", () => move("hang-up"));
  $("wait").addEventListener("click", () => move("wait"));
  $("answer").addEventListener("click", answerCall);
  $("no-answer").addEventListener("click", () => refuseCall("no-answer"));
  $("busy").addEventListener("click", () => refuseCall("busy"));
  $("keypad").addEventListener("click", (event) => {
    const key = event.target.dataset?.key;
    if (key) move("press", { key });
  });
  // A number typed before this script ran counts too.
  const preset = new URLSearchParams(location.search).get("number") || $("phone-number").value;
  if (preset) {
    $("phone-number").value = preset;
    usePhone(preset);
  }
})();
