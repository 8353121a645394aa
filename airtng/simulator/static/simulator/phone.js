// The phone simulator: texts and calls Airtng through its signed Twilio webhooks, and
// plays the TwiML it answers with as a phone would.
(() => {
  "use strict";
  const root = document.getElementById("simulator");
  const urls = JSON.parse(document.getElementById("simulator-urls").textContent);
  const strings = JSON.parse(document.getElementById("simulator-strings").textContent);
  const airtngNumber = root.dataset.airtngNumber;
  const accountSid = root.dataset.accountSid;
  const $ = (id) => document.getElementById(id);
  // The Airtng number this phone texts and calls: Airtng's own, or a proxy number.
  const dialled = () => $("phone-to").value || airtngNumber;
  const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
  const csrf = root.dataset.csrfToken;
  let phone = "";
  let call = null;
  let seen = "";
  // A status callback cannot move these on: nothing left to simulate.
  const FINAL = new Set(["delivered", "undelivered", "failed"]);

  const randomSid = (prefix) =>
    prefix + Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

  // --- Talking to Airtng exactly as Twilio does -------------------------------------------
  async function signedRequest(path, params, method = "POST") {
    let url = new URL(path, location.origin);
    if (method === "GET") {
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    }
    const signed = url.pathname + url.search;
    const signing = await fetch(urls.sign, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ path: signed, params: method === "POST" ? params : {} }),
    });
    if (!signing.ok) return { response: signing, text: "", url: signed };
    const { signature } = await signing.json();
    const response = await fetch(signed, {
      method,
      headers: { "X-Twilio-Signature": signature },
      body: method === "POST" ? new URLSearchParams(params) : undefined,
    });
    return { response, text: await response.text(), url: signed };
  }

  // --- Messages ---------------------------------------------------------------------------
  function usePhone(number) {
    phone = number.trim();
    $("current-phone").textContent = phone || "—";
    seen = "";
    $("thread").replaceChildren();
    refreshThread();
    refreshCalls();
  }

  function bubble(cls, text, meta) {
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
    if (meta) {
      const small = document.createElement("small");
      small.textContent = meta;
      item.append(small);
    }
    return item;
  }

  async function refreshThread() {
    if (!phone) return;
    const response = await fetch(urls.messages + "?" + new URLSearchParams({ number: phone }));
    if (!response.ok) return;
    const { messages, proxies } = await response.json();
    const fingerprint = JSON.stringify([messages.map((m) => [m.id, m.status, m.reply]), proxies]);
    if (fingerprint === seen) return;
    seen = fingerprint;
    showProxies(proxies || {});
    const items = [];
    for (const message of messages) {
      const side = message.airtng_side && message.airtng_side !== airtngNumber
        ? " · " + format(strings.via, { number: message.airtng_side }) : "";
      if (message.direction === "in") {
        items.push(bubble("from-phone", message.body, message.status_label + side));
        if (message.reply) items.push(bubble("to-phone reply", message.reply, strings.airtng));
      } else {
        const item = bubble("to-phone", message.body, message.status_label + side);
        item.dataset.sid = message.sid || "";
        item.dataset.status = message.status;
        if (message.sid && !FINAL.has(message.status)) {
          for (const [status, label] of [["delivered", strings.delivered], ["failed", strings.failed]]) {
            const button = document.createElement("button");
            button.type = "button";
            button.className = "link";
            button.textContent = label;
            button.addEventListener("click", () => reportStatus(message.sid, status, message.airtng_side));
            item.append(button);
          }
        }
        items.push(item);
      }
    }
    $("thread").replaceChildren(...items);
    $("thread").lastElementChild?.scrollIntoView({ block: "nearest" });
  }

  // Which conversation each proxy number serves for this phone.
  function showProxies(proxies) {
    const list = $("proxies");
    for (const option of $("phone-to").querySelectorAll("option[data-number]")) {
      const number = option.dataset.number;
      option.textContent = number + " — " + (proxies[number] || strings.no_conversation);
    }
    if (!list) return;
    list.replaceChildren(...Object.entries(proxies).map(([number, label]) => {
      const item = document.createElement("li");
      const strong = document.createElement("strong");
      strong.textContent = number;
      item.append(strong, " " + label);
      return item;
    }));
  }

  async function reportStatus(sid, status, from = airtngNumber) {
    const params = { MessageSid: sid, MessageStatus: status, AccountSid: accountSid, To: phone, From: from };
    if (status === "failed") params.ErrorCode = "30008";
    await signedRequest(urls.sms_status, params);
    refreshThread();
  }

  async function sendSms(body) {
    if (!phone) return alert(strings.pick_phone);
    const params = {
      MessageSid: randomSid("SM"), SmsSid: "", AccountSid: accountSid, MessagingServiceSid: "",
      From: phone, To: dialled(), Body: body, NumMedia: "0", NumSegments: "1",
      SmsStatus: "received", ApiVersion: "2010-04-01",
    };
    params.SmsSid = params.MessageSid;
    const { response } = await signedRequest(urls.incoming_sms, params);
    if (!response.ok) alert(format(strings.error, { status: response.status }));
    refreshThread();
  }

  // --- Calls: a small TwiML player ----------------------------------------------------------
  function logCall(url, twiml) {
    const item = document.createElement("li");
    const request = document.createElement("code");
    request.textContent = "→ " + url;
    const answer = document.createElement("pre");
    answer.textContent = twiml;
    item.append(request, answer);
    $("call-log").append(item);
  }

  function show(text, cls = "say") {
    const line = document.createElement("p");
    line.className = cls;
    line.textContent = text;
    $("screen").append(line);
  }

  function speak(text, voice) {
    if (!$("sound").checked || !("speechSynthesis" in window)) return Promise.resolve();
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      if (voice.getAttribute("language")) utterance.lang = voice.getAttribute("language");
      utterance.onend = utterance.onerror = resolve;
      speechSynthesis.speak(utterance);
    });
  }

  // Each function below takes the call it plays: a call that was hung up, or replaced by a
  // new one, stops at its next step and touches nothing of the new call.
  async function say(current, verb, gather = null) {
    const times = Math.max(1, Math.min(parseInt(verb.getAttribute("loop") || "1", 10) || 1, 10));
    show(verb.textContent);
    for (let i = 0; i < times && current.live && !gather?.pressed; i++) await speak(verb.textContent, verb);
  }

  function play(verb) {
    const audio = document.createElement("audio");
    audio.controls = true;
    audio.src = verb.textContent.trim();
    $("screen").append(audio);
  }

  // The keys of one <Gather>. As on a phone, a key pressed during the prompts cuts them short;
  // as at Twilio, the timeout starts once the prompts have played, and again after each key.
  function gatherKeys(current, numDigits, finishOnKey, timeoutSeconds) {
    let digits = "";
    let timer = null;
    let finish;
    let finished = false;
    const gather = { pressed: false, result: new Promise((resolve) => (finish = resolve)) };
    const done = (value) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      current.onKey = current.onHangUp = null;
      setKeypad(false);
      finish(value);
    };
    const restartTimer = () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(digits), timeoutSeconds * 1000);
    };
    gather.promptsPlayed = () => {
      if (finished) return;  // keys pressed during the prompts, or the call hung up
      if (!gather.pressed) show(strings.press, "prompt");
      restartTimer();
    };
    current.onKey = (key) => {
      if (!gather.pressed && "speechSynthesis" in window) speechSynthesis.cancel();
      gather.pressed = true;
      if (key === finishOnKey) return done(digits);
      digits += key;
      show(key, "key");
      if (digits.length >= numDigits) return done(digits);
      if (timer !== null) restartTimer();
    };
    current.onHangUp = () => done(null);
    setKeypad(true);
    return gather;
  }

  function setKeypad(enabled) {
    for (const key of $("keypad").querySelectorAll("button")) key.disabled = !enabled;
  }

  async function fetchTwiml(current, path, params, method) {
    const { response, text, url } = await signedRequest(path, { ...current.params, ...params }, method);
    if (!current.live) return null;
    logCall(`${method} ${url}${params.Digits !== undefined ? " Digits=" + params.Digits : ""}`, text);
    if (!response.ok) {
      show(format(strings.error, { status: response.status }), "error");
      return null;
    }
    return new DOMParser().parseFromString(text, "text/xml");
  }

  async function runCall(current) {
    let twiml = await fetchTwiml(current, current.path, {}, "POST");
    let hops = 0;
    while (twiml && current.live && hops++ < 50) {
      twiml = await runVerbs(current, [...twiml.documentElement.children]);
    }
    endCall(current);
  }

  // Plays verbs in order; returns the next TwiML document to play, or null when the call ends.
  async function runVerbs(current, verbs) {
    for (const verb of verbs) {
      if (!current.live) return null;
      switch (verb.tagName) {
        case "Say": await say(current, verb); break;
        case "Play": play(verb); break;
        case "Pause": await new Promise((r) => setTimeout(r, 1000 * (parseInt(verb.getAttribute("length") || "1", 10) || 1))); break;
        case "Gather": {
          const gather = gatherKeys(
            current,
            parseInt(verb.getAttribute("numDigits") || "99", 10),
            verb.getAttribute("finishOnKey") ?? "#",
            parseInt(verb.getAttribute("timeout") || "5", 10),
          );
          for (const inner of verb.children) {
            if (gather.pressed || !current.live) break;
            if (inner.tagName === "Say") await say(current, inner, gather);
            if (inner.tagName === "Play") play(inner);
          }
          gather.promptsPlayed();
          const digits = await gather.result;
          if (digits === null) return null;
          if (digits !== "") {
            return fetchTwiml(current, verb.getAttribute("action") || current.path, { Digits: digits }, verb.getAttribute("method") || "POST");
          }
          break;
        }
        case "Redirect":
          return fetchTwiml(current, verb.textContent.trim(), {}, verb.getAttribute("method") || "POST");
        case "Dial":
          if (verb.getAttribute("callerId")) {
            show(format(strings.connecting_as, { number: verb.textContent.trim(), caller_id: verb.getAttribute("callerId") }), "dial");
          } else {
            show(format(strings.connecting, { number: verb.textContent.trim() }), "dial");
          }
          return null;
        case "Hangup":
        case "Reject":
          return null;
      }
    }
    return null;
  }

  function startCall(path) {
    if (!phone) return alert(strings.pick_phone);
    // The simulated carrier vouches that the phone owns its number (STIR/SHAKEN A-attestation).
    playCall(path, { CallSid: randomSid("CA"), From: phone, To: dialled(), Direction: "inbound", StirVerstat: "TN-Validation-Passed-A" });
    show(format(strings.calling, { path }), "prompt");
    runCall(call);
  }

  function playCall(path, params, placed = null) {
    endCall(call);
    $("screen").replaceChildren();
    $("call-log").replaceChildren();
    call = {
      live: true, path, onKey: null, onHangUp: null, placed, startedAt: Date.now(),
      params: { AccountSid: accountSid, CallStatus: "in-progress", ApiVersion: "2010-04-01", ...params },
    };
    $("hang-up").disabled = false;
  }

  function endCall(current) {
    if (!current?.live) return;
    current.live = false;
    current.onHangUp?.();
    if ("speechSynthesis" in window) speechSynthesis.cancel();
    setKeypad(false);
    $("hang-up").disabled = true;
    show(strings.call_ended, "ended");
    if (current.placed) {
      const seconds = Math.round((Date.now() - current.startedAt) / 1000);
      reportCall(current.placed, "completed", seconds);
    }
  }

  // --- Calls Airtng places to this phone: it rings, and Twilio's status callbacks follow ----
  let ringing = null;

  async function refreshCalls() {
    if (!phone || call?.live) return;
    const response = await fetch(urls.calls + "?" + new URLSearchParams({ number: phone }));
    if (!response.ok) return;
    const { calls } = await response.json();
    ringing = calls[0] || null;
    $("incoming").hidden = !ringing;
    if (ringing) $("incoming-text").textContent = format(strings.incoming, { number: phone });
  }

  async function reportCall(placed, status, seconds = 0) {
    const params = {
      CallSid: placed.sid, AccountSid: accountSid, CallStatus: status, CallDuration: String(seconds),
      From: airtngNumber, To: phone, Direction: "outbound-api", ApiVersion: "2010-04-01",
    };
    const reported = await signedRequest(placed.status_url, params);
    $("screen").dataset.reported = status;  // for whoever watches: Airtng has heard it
    return reported;
  }

  async function answerCall() {
    const placed = ringing;
    if (!placed) return;
    ringing = null;
    $("incoming").hidden = true;
    await reportCall(placed, "in-progress");
    // Airtng placed the call: From is its number, and the call's SID is the proof of who answers.
    playCall(urls.voice, { CallSid: placed.sid, From: airtngNumber, To: phone, Direction: "outbound-api" }, placed);
    show(strings.answered, "prompt");
    runCall(call);
  }

  async function refuseCall(status) {
    const placed = ringing;
    if (!placed) return;
    ringing = null;
    $("incoming").hidden = true;
    await reportCall(placed, status);
    show(strings[status === "busy" ? "was_busy" : "not_answered"], "ended");
  }

  // --- Wiring -------------------------------------------------------------------------------
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
  $("call-voice").addEventListener("click", () => startCall(urls.voice));
  $("call-ivr").addEventListener("click", () => startCall(urls.ivr));
  $("hang-up").addEventListener("click", () => endCall(call));
  $("answer").addEventListener("click", answerCall);
  $("no-answer").addEventListener("click", () => refuseCall("no-answer"));
  $("busy").addEventListener("click", () => refuseCall("busy"));
  $("keypad").addEventListener("click", (event) => {
    const key = event.target.dataset?.key;
    if (key && call?.onKey) call.onKey(key);
  });
  const preset = new URLSearchParams(location.search).get("number");
  if (preset) {
    $("phone-number").value = preset;
    usePhone(preset);
  }
  setInterval(refreshThread, 1500);
  setInterval(refreshCalls, 1500);
})();
