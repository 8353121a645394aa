"""TwiML as Twilio interprets it, on a call the simulator places: the one interpreter.

A call is a small JSON-able state. Each move (start, a key pressed, a timeout waited out,
hanging up) fetches what TwiML it needs and returns the steps that happened, each with the
time it happened on the call's clock. Nothing sleeps: a <Pause> or a timeout moves the clock.
"""

from datetime import datetime, timedelta
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit
from xml.etree import ElementTree

from django.utils import timezone

# Twilio's defaults, from its TwiML reference.
GATHER_TIMEOUT_SECONDS = 5
GATHER_FINISH_ON_KEY = "#"
PAUSE_SECONDS = 1
# Twilio repeats a <Say> or <Play> with loop="0" up to 1000 times.
ENDLESS_LOOP = 1000
KEYS = "0123456789*#"
# A text-to-speech voice says about 150 words a minute: what a <Say> adds to the clock.
WORDS_PER_SECOND = 2.5
# Documents fetched with no key pressed in between: past it, the call is a redirect loop.
MAX_HOPS = 20


class Answer:
    """What Airtng answered to one request: status, body, and the cookies it set."""

    def __init__(self, status: int, body: bytes, set_cookies=()):
        self.status = status
        self.body = body
        self.set_cookies = list(set_cookies)


class TwimlError(Exception):
    """The document is not TwiML Twilio could play."""


def resolve(base_url: str, target: str) -> str:
    """A URL in a document, as Twilio reads it: RFC 3986, against the document's own URL."""
    return urljoin(base_url, (target or "").strip())


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def verbs_of(document: bytes) -> list[ElementTree.Element]:
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError as error:
        raise TwimlError(f"not well-formed XML ({error})") from None
    if root.tag != "Response":
        raise TwimlError(f"the root element is <{root.tag[:40]}>, not <Response>")
    return list(root)


def whole_number(value, default: int, *, least: int = 0) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return number if number >= least else default


def loops(verb) -> int:
    count = whole_number(verb.get("loop"), 1)
    return ENDLESS_LOOP if count == 0 else count


def said_seconds(text: str, times: int) -> float:
    return max(1.0, len(text.split()) / WORDS_PER_SECOND) * times


def update_cookies(cookies: dict, set_cookies) -> dict:
    """The call's cookie jar after a response: Twilio keeps them for the call's duration."""
    jar = dict(cookies)
    for header in set_cookies:
        parsed = SimpleCookie()
        try:
            parsed.load(header)
        except CookieError:
            continue
        for name, morsel in parsed.items():
            if morsel["max-age"] in ("0", "-1") or morsel.value == "":
                jar.pop(name, None)
            else:
                jar[name] = morsel.value
    return jar


class Call:
    """One simulated call. `fetch(method, url, params, cookies) -> Answer` reaches Airtng."""

    def __init__(self, state: dict):
        self.state = state

    @classmethod
    def placed(cls, *, url: str, params: dict, method: str = "POST", ringing: bool = True):
        """A call about to make its first request to `url` (`ringing`: Twilio says so first)."""
        now = timezone.now().isoformat()
        return cls(
            {
                "url": url,
                "method": method,
                "params": params,
                "cookies": {},
                "started_at": now,
                "clock": now,
                "document": None,
                "position": 0,
                "gather": None,
                "ended": False,
                "hops": 0,
                "ringing": ringing,
            }
        )

    # --- What the caller does ----------------------------------------------------------------

    def start(self, fetch) -> list[dict]:
        steps = []
        self._fetch(fetch, steps, self.state["method"], self.state["url"], {})
        return self._run(fetch, steps)

    def press(self, key: str, fetch) -> list[dict]:
        """A key on the keypad. Outside a <Gather> no one listens, as on a real call."""
        if key not in KEYS or len(key) != 1:
            raise ValueError(key)
        gather = self.state["gather"]
        if self.state["ended"] or gather is None:
            return []
        self._catch_up()
        self.state["hops"] = 0
        steps = [self._step("press", key=key)]
        if key == gather["finish_on_key"]:
            return self._gathered(fetch, steps)
        gather["digits"] += key
        if gather["num_digits"] and len(gather["digits"]) >= gather["num_digits"]:
            return self._gathered(fetch, steps)
        steps.append(self._step("gather", **self.waiting))
        return steps

    def wait(self, fetch) -> list[dict]:
        """Silence until the <Gather> times out."""
        gather = self.state["gather"]
        if self.state["ended"] or gather is None:
            return []
        self._catch_up()
        self._tick(gather["timeout"])
        return self._gathered(fetch, [self._step("timeout", seconds=gather["timeout"])])

    def hang_up(self) -> list[dict]:
        if self.state["ended"]:
            return []
        self._catch_up()
        self.state["gather"] = None
        return [self._end("hung_up")]

    # --- What the caller can see -------------------------------------------------------------

    @property
    def ended(self) -> bool:
        return self.state["ended"]

    @property
    def waiting(self) -> dict | None:
        """What the call waits for: keys, how many, the finish key, the timeout."""
        gather = self.state["gather"]
        if gather is None or self.ended:
            return None
        return {
            "digits": gather["digits"],
            "num_digits": gather["num_digits"],
            "finish_on_key": gather["finish_on_key"],
            "timeout": gather["timeout"],
        }

    @property
    def seconds(self) -> int:
        """How long the call has lasted on its clock."""
        return int((self.clock - datetime.fromisoformat(self.state["started_at"])).total_seconds())

    @property
    def clock(self) -> datetime:
        return datetime.fromisoformat(self.state["clock"])

    # --- Twilio's side -----------------------------------------------------------------------

    def _run(self, fetch, steps):
        while not self.ended and self.state["gather"] is None:
            try:
                verbs = verbs_of(self.state["document"])
            except TwimlError as error:
                steps.append(self._end("error", reason=str(error)))
                break
            if self.state["position"] >= len(verbs):
                steps.append(self._end("hangup"))  # the end of the document hangs up
                break
            verb = verbs[self.state["position"]]
            self.state["position"] += 1
            self._play(verb, fetch, steps)
        return steps

    def _play(self, verb, fetch, steps):
        url = self.state["url"]
        if verb.tag in ("Say", "Play", "Pause"):
            steps.append(self._prompt(verb))
        elif verb.tag == "Gather":
            self._gather(verb, steps)
        elif verb.tag == "Redirect":
            method = (verb.get("method") or "POST").upper()
            self._fetch(fetch, steps, method, resolve(url, verb.text), {})
        elif verb.tag == "Dial":
            # The simulator is not the other phone: the call ends as it connects.
            number = " ".join("".join(verb.itertext()).split())
            steps.append(self._end("dial", number=number, caller_id=verb.get("callerId") or ""))
        elif verb.tag == "Hangup":
            steps.append(self._end("hangup"))
        elif verb.tag == "Reject":
            steps.append(self._end("reject", reason=verb.get("reason") or "rejected"))
        else:
            steps.append(self._end("error", reason=f"<{verb.tag[:40]}> is not a verb it plays"))

    def _prompt(self, verb) -> dict:
        if verb.tag == "Pause":
            seconds = whole_number(verb.get("length"), PAUSE_SECONDS, least=1)
            step = self._step("pause", seconds=seconds)
            self._tick(seconds)
            return step
        times = loops(verb)
        if verb.tag == "Play":
            step = self._step("play", url=resolve(self.state["url"], verb.text), loop=times)
            self._tick(times)  # a clip's length is unknown: a second each
            return step
        text = "".join(verb.itertext()).strip()
        step = self._step(
            "say",
            text=text,
            loop=times,
            voice=verb.get("voice") or "",
            language=verb.get("language") or "",
        )
        self._tick(said_seconds(text, times))
        return step

    def _gather(self, verb, steps):
        nested = [inner for inner in verb if inner.tag in ("Say", "Play", "Pause")]
        for inner in nested:
            steps.append(self._prompt(inner))
        finish = verb.get("finishOnKey", GATHER_FINISH_ON_KEY)
        self.state["gather"] = {
            "action": resolve(self.state["url"], verb.get("action") or self.state["url"]),
            "method": (verb.get("method") or "POST").upper(),
            "num_digits": whole_number(verb.get("numDigits"), 0, least=1),
            "finish_on_key": finish if finish in KEYS and len(finish) == 1 else "",
            "timeout": whole_number(verb.get("timeout"), GATHER_TIMEOUT_SECONDS, least=1),
            "on_empty": (verb.get("actionOnEmptyResult") or "").lower() == "true",
            "digits": "",
        }
        steps.append(self._step("gather", **self.waiting))

    def _gathered(self, fetch, steps):
        """The <Gather> is over: its digits go to the action; none, and the call moves on."""
        gather, self.state["gather"] = self.state["gather"], None
        if gather["digits"] or gather["on_empty"]:
            extra = {"Digits": gather["digits"]}
            self._fetch(fetch, steps, gather["method"], gather["action"], extra)
        return self._run(fetch, steps)

    def _fetch(self, fetch, steps, method, url, extra):
        if self.state["hops"] >= MAX_HOPS:
            steps.append(self._end("error", reason=f"more than {MAX_HOPS} documents in a row"))
            return
        self.state["hops"] += 1
        status = "ringing" if self.state["ringing"] else "in-progress"
        self.state["ringing"] = False
        params = {**self.state["params"], "CallStatus": status, **extra}
        requested = url
        if method == "GET":
            requested += ("&" if urlsplit(url).query else "?") + urlencode(params)
            params = {}
        answer = fetch(method, requested, params, self.state["cookies"])
        self.state["cookies"] = update_cookies(self.state["cookies"], answer.set_cookies)
        body = answer.body.decode("utf-8", "replace")
        steps.append(
            self._step(
                "request",
                method=method,
                url=path_of(requested),
                digits=extra.get("Digits"),
                status=answer.status,
                twiml=body,
            )
        )
        if answer.status != 200:
            steps.append(self._end("error", reason=f"Airtng answered {answer.status}"))
            return
        self.state.update(url=url, method=method, document=body, position=0)

    # --- The call's clock and its steps -------------------------------------------------------

    def _catch_up(self):
        """The caller acts now: the clock is at least the real time."""
        self.state["clock"] = max(self.clock, timezone.now()).isoformat()

    def _tick(self, seconds: float):
        self.state["clock"] = (self.clock + timedelta(seconds=seconds)).isoformat()

    def _step(self, kind: str, **details) -> dict:
        return {"kind": kind, "at": self.state["clock"], **details}

    def _end(self, kind: str, **details) -> dict:
        self.state["ended"] = True
        self.state["gather"] = None
        return self._step(kind, **details)


def messages_of(document: bytes) -> list[str]:
    """The bodies of the <Message> verbs of a messaging reply."""
    messages = []
    for verb in verbs_of(document):
        if verb.tag == "Message":
            body = verb.find("Body")
            messages.append(("".join(body.itertext()) if body is not None else verb.text) or "")
    return messages
