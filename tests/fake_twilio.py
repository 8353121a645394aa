"""A small stand-in for Twilio's REST API that the real twilio client talks HTTP to.

It answers `POST` and `GET /2010-04-01/Accounts/{sid}/Messages.json` as Twilio does: Basic
auth, the Message resource with every field Twilio's OpenAPI description lists, error bodies
whose `status` is the HTTP status, and signed status callbacks it POSTs to a message's
`StatusCallback` when asked. It places calls too (`POST .../Calls.json`): told to, the
callee answers (the fake fetches the call's TwiML, hears its <Say>s and presses keys at its
<Gather>s), does not answer, or is busy, and the call's StatusCallback hears the outcome.
Each request is checked against that description (../shared/twilio-openapi/twilio_api_v2010.json
beside the repository); what does not fit is kept in `violations`. Answers can be scripted:
accepted, an error, too slow, cut off mid-body, or a proxy's HTML page.
"""

import base64
import contextlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit
from xml.etree import ElementTree

import requests
from twilio.request_validator import RequestValidator

SPEC = Path(__file__).resolve().parents[1].parent / "shared/twilio-openapi/twilio_api_v2010.json"
MESSAGES_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
MESSAGE_SCHEMA = "api.v2010.account.message"
CALLS_PATH = "/2010-04-01/Accounts/{AccountSid}/Calls.json"
CALL_SCHEMA = "api.v2010.account.call"
# What Twilio needs to know what to do once the callee answers: one of these.
CALL_INSTRUCTIONS = ("Url", "Twiml", "ApplicationSid")
MAX_HOPS = 20


@cache
def spec():
    return json.loads(SPEC.read_text())


def create_message_schema():
    body = spec()["paths"][MESSAGES_PATH]["post"]["requestBody"]
    return body["content"]["application/x-www-form-urlencoded"]["schema"]


def list_message_parameters():
    return {p["name"] for p in spec()["paths"][MESSAGES_PATH]["get"]["parameters"]}


def message_fields():
    return spec()["components"]["schemas"][MESSAGE_SCHEMA]["properties"]


def create_call_schema():
    body = spec()["paths"][CALLS_PATH]["post"]["requestBody"]
    return body["content"]["application/x-www-form-urlencoded"]["schema"]


def call_fields():
    return spec()["components"]["schemas"][CALL_SCHEMA]["properties"]


def violations_of_create(form, schema=None) -> list[str]:
    schema = schema or create_message_schema()
    found = [f"unknown field {name}" for name in form if name not in schema["properties"]]
    found += [f"missing field {name}" for name in schema.get("required", []) if name not in form]
    for name, value in form.items():
        if schema["properties"].get(name, {}).get("format") == "uri":
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                found.append(f"{name} is not an absolute URL")
    return found


def violations_of_create_call(form) -> list[str]:
    found = violations_of_create(form, create_call_schema())
    if not any(form.get(name) for name in CALL_INSTRUCTIONS):
        found.append("missing field Url, Twiml or ApplicationSid")
    return found


@dataclass
class CallOutcome:
    """What the callee of the next calls does: answer (and press `digits`), or not."""

    status: str = "completed"  # or "no-answer", "busy", "failed"
    digits: tuple = ()
    duration: int = 30


@dataclass
class Answer:
    status: int = 201
    code: int | None = None
    delay: float = 0.0
    message_status: str = "queued"  # what an accepted message's JSON says
    cut: bool = False  # accepted, but the connection drops halfway through the JSON
    html: bool = False  # a proxy's 200 HTML page instead of Twilio's answer

    @property
    def accepted(self):
        return self.status == 201 and not self.html


ACCEPTED = Answer()


def rfc2822(moment):
    return format_datetime(moment, usegmt=False)


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    delay: float = 0.0
    script: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    messages: list = field(default_factory=list)  # the Message resources, oldest first
    violations: list = field(default_factory=list)
    # Statuses to report to a message's StatusCallback, in order, right after accepting it.
    callbacks: tuple = ()
    calls: list = field(default_factory=list)  # the Call resources, oldest first
    # What callees do, one per call placed; with none left, a call just stays queued.
    call_outcomes: list = field(default_factory=list)
    call_script: list = field(default_factory=list)  # answers to the next Calls requests
    threads: list = field(default_factory=list)  # callees waiting for settle()
    lock: threading.Lock = field(default_factory=threading.Lock)
    generation: int = 0  # a slow answer still due when the next test starts is dropped

    def reset(self):
        with self.lock:
            self.generation += 1
            self.delay = 0.0
            self.callbacks = ()
            self.script.clear()
            self.requests.clear()
            self.messages.clear()
            self.violations.clear()
            self.calls.clear()
            self.call_outcomes.clear()
            self.call_script.clear()
            self.threads.clear()

    def answer_next(self, *answers):
        """Answer the next create requests so, in order; then accept again."""
        self.script.extend(answers)

    def answer_next_calls(self, *answers):
        """Answer the next Calls requests so, in order (an SMS takes none of them)."""
        self.call_script.extend(answers)

    def callees(self, *outcomes):
        """The next calls placed end so, in order: CallOutcome("completed", digits=("1",))."""
        self.call_outcomes.extend(outcomes)

    def settle(self, timeout=30):
        """Let the callees of the calls placed so far act, and wait until they are done.

        A callee acts only then, once Airtng has read Twilio's answer and recorded the SID,
        as a person picks up seconds after the phone starts ringing.
        """
        with self.lock:
            ringing, self.threads = self.threads, []
        for thread in ringing:
            thread.start()
        for thread in ringing:
            thread.join(timeout)

    @property
    def placed_calls(self):
        """The calls Twilio accepted: dicts of To, From, Url, StatusCallback."""
        return [r["form"] for r in self.requests if r.get("call") and r["answer"].accepted]

    @property
    def sent(self):
        """The SMS Twilio accepted: dicts of To, From, Body, StatusCallback."""
        return [r["form"] for r in self.requests if not r.get("call") and r["answer"].accepted]

    def message(self, sid):
        return next(m for m in self.messages if m["sid"] == sid)

    def report(self, sid, status, *, error_code=None, callback_url=None):
        """POST Twilio's signed status callback for `sid` to its StatusCallback; the response."""
        message = self.message(sid)
        url = callback_url or message["_status_callback"]
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "From": message["from"],
            "To": message["to"],
        }
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        with self.lock:
            message["status"] = status
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        return requests.post(
            url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10
        )

    def _next_answer(self):
        with self.lock:
            return self.script.pop(0) if self.script else ACCEPTED

    def _accept(self, form, answer):
        now = datetime.now(UTC)
        sid = f"SM{uuid.uuid4().hex}"
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json"
        resource = {
            "body": form.get("Body", ""),
            "num_segments": "1",
            "direction": "outbound-api",
            "from": form.get("From"),
            "to": form["To"],
            "date_updated": rfc2822(now),
            "price": None,
            "error_message": None,
            "uri": uri,
            "account_sid": self.account_sid,
            "num_media": "0",
            "status": answer.message_status,
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "sid": sid,
            "date_sent": None,
            "date_created": rfc2822(now),
            "error_code": None,
            "price_unit": "USD",
            "api_version": "2010-04-01",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
        }
        with self.lock:
            self.messages.append({**resource, "_status_callback": form.get("StatusCallback")})
        return resource

    def _report_all(self, sid, statuses):
        for status in statuses:
            # Twilio gives up on a callback URL that does not answer, too.
            with contextlib.suppress(requests.RequestException):
                self.report(sid, status)

    def _accept_call(self, form):
        now = datetime.now(UTC)
        sid = f"CA{uuid.uuid4().hex}"
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}.json"
        resource = {name: None for name in call_fields()}
        resource.update(
            sid=sid,
            date_created=rfc2822(now),
            date_updated=rfc2822(now),
            account_sid=self.account_sid,
            to=form["To"],
            to_formatted=form["To"],
            **{"from": form["From"], "from_formatted": form["From"]},
            status="queued",
            direction="outbound-api",
            api_version="2010-04-01",
            price_unit="USD",
            uri=uri,
            subresource_uris={"notifications": uri.replace(".json", "/Notifications.json")},
        )
        with self.lock:
            self.calls.append({**resource, "_form": form, "_heard": []})
        return resource

    def call(self, sid):
        return next(c for c in self.calls if c["sid"] == sid)

    def heard(self, sid=None):
        """What the callee of `sid` (default: the last call) heard, <Say> by <Say>."""
        return (self.call(sid) if sid else self.calls[-1])["_heard"]

    def _signed_post(self, url, params):
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        return requests.post(
            url, data=params, headers={"X-Twilio-Signature": signature}, timeout=10
        )

    def _call_params(self, call, status):
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": call["sid"],
            "CallStatus": status,
            "Direction": "outbound-api",
            "From": call["from"],
            "To": call["to"],
            "Called": call["to"],
            "Caller": call["from"],
        }

    def _run_call(self, sid, outcome):
        call = self.call(sid)
        form = call["_form"]
        with contextlib.suppress(requests.RequestException):
            if outcome.status == "completed":
                self._answer(call, form["Url"], list(outcome.digits))
            with self.lock:
                call["status"] = outcome.status
                call["duration"] = str(outcome.duration if outcome.status == "completed" else 0)
            if form.get("StatusCallback"):
                params = self._call_params(call, outcome.status)
                params["CallDuration"] = call["duration"]
                self._signed_post(form["StatusCallback"], params)

    def _answer(self, call, url, digits):
        """Play the call's TwiML as Twilio would: <Say>s heard, keys pressed at <Gather>s."""
        heard = call["_heard"]
        extra = {}
        for _ in range(MAX_HOPS):
            answer = self._signed_post(url, {**self._call_params(call, "in-progress"), **extra})
            if answer.status_code != 200:
                heard.append(f"(HTTP {answer.status_code})")
                return
            next_step = None
            for verb in ElementTree.fromstring(answer.text):
                if verb.tag == "Say":
                    heard.append(verb.text or "")
                elif verb.tag == "Gather":
                    heard.extend(inner.text or "" for inner in verb if inner.tag == "Say")
                    if digits:
                        next_step = (verb.get("action") or url, {"Digits": digits.pop(0)})
                        break
                elif verb.tag == "Redirect":
                    next_step = (verb.text or url, {})
                    break
                elif verb.tag in ("Hangup", "Reject", "Dial"):
                    return
            if next_step is None:
                return
            url, extra = urljoin(url, next_step[0]), next_step[1]

    def error(self, status, code, message):
        return {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def authorized(self):
                expected = (
                    "Basic "
                    + base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
                )
                return self.headers.get("Authorization") == expected

            def messages_path(self):
                return MESSAGES_PATH.replace("{AccountSid}", fake.account_sid)

            def do_GET(self):
                url = urlsplit(self.path)
                if not self.authorized():
                    return self.reply(401, fake.error(401, 20003, "Authenticate"))
                if url.path != self.messages_path():
                    return self.reply(404, fake.error(404, 20404, "Not found"))
                query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
                unknown = set(query) - list_message_parameters() - {"AccountSid"}
                with fake.lock:
                    fake.violations += [f"unknown parameter {name}" for name in sorted(unknown)]
                    listed = [
                        {k: v for k, v in m.items() if not k.startswith("_")}
                        for m in reversed(fake.messages)
                        if query.get("To", m["to"]) == m["to"]
                        and query.get("From", m["from"]) == m["from"]
                    ]
                page_size = int(query.get("PageSize", 50))
                page = listed[:page_size]
                uri = f"{url.path}?{urlencode(query)}"
                self.reply(
                    200,
                    {
                        "end": max(len(page) - 1, 0),
                        "first_page_uri": uri,
                        "next_page_uri": None,
                        "page": 0,
                        "page_size": page_size,
                        "previous_page_uri": None,
                        "start": 0,
                        "uri": uri,
                        "messages": page,
                    },
                )

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {
                    k: v[0]
                    for k, v in parse_qs(
                        self.rfile.read(length).decode(), keep_blank_values=True
                    ).items()
                }
                if not self.authorized():
                    return self.reply(401, fake.error(401, 20003, "Authenticate"))
                if self.path == CALLS_PATH.replace("{AccountSid}", fake.account_sid):
                    return self.create_call(form)
                if self.path != self.messages_path():
                    return self.reply(404, fake.error(404, 20404, "Not found"))
                found = violations_of_create(form)
                if found:
                    with fake.lock:
                        fake.violations += found
                    return self.reply(400, fake.error(400, 21604, "; ".join(found)))
                if not {"From", "Body"} <= form.keys():
                    return self.reply(400, fake.error(400, 21602, "Message body is required."))
                answer = fake._next_answer()
                with fake.lock:
                    fake.requests.append({"form": form, "answer": answer})
                    generation = fake.generation
                time.sleep(answer.delay or fake.delay)
                if generation != fake.generation:
                    return None
                if answer.html:
                    return self.reply(200, b"<html><body>Bad gateway</body></html>", "text/html")
                if answer.status != 201:
                    message = f"Error {answer.code}"
                    return self.reply(
                        answer.status, fake.error(answer.status, answer.code, message)
                    )
                resource = fake._accept(form, answer)
                self.reply(201, resource, cut=answer.cut)
                if fake.callbacks and form.get("StatusCallback"):
                    threading.Thread(
                        target=fake._report_all, args=(resource["sid"], fake.callbacks)
                    ).start()

            def create_call(self, form):
                found = violations_of_create_call(form)
                if found:
                    with fake.lock:
                        fake.violations += found
                    return self.reply(400, fake.error(400, 21205, "; ".join(found)))
                with fake.lock:
                    answer = fake.call_script.pop(0) if fake.call_script else ACCEPTED
                    fake.requests.append({"form": form, "answer": answer, "call": True})
                if answer.status != 201:
                    error = fake.error(answer.status, answer.code, f"Error {answer.code}")
                    return self.reply(answer.status, error)
                resource = fake._accept_call(form)
                self.reply(201, resource)
                with fake.lock:
                    outcome = fake.call_outcomes.pop(0) if fake.call_outcomes else None
                if outcome is not None:
                    thread = threading.Thread(
                        target=fake._run_call, args=(resource["sid"], outcome)
                    )
                    with fake.lock:
                        fake.threads.append(thread)

            def reply(self, status, payload, content_type="application/json", *, cut=False):
                body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    if cut:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2] if cut else body)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)
                if cut:
                    self.close_connection = True

        return Handler


def serve(fake: FakeTwilio, port: int = 0):
    """Start serving `fake` on 127.0.0.1; returns the server (its URL, and shutdown())."""
    server = ThreadingHTTPServer(("127.0.0.1", port), fake.handler())
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    return server
