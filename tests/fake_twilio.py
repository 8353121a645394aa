"""A small stand-in for Twilio's REST API that the real twilio client talks HTTP to.

It answers `POST` and `GET /2010-04-01/Accounts/{sid}/Messages.json` as Twilio does: Basic
auth, the Message resource with every field Twilio's OpenAPI description lists, error bodies
whose `status` is the HTTP status, and signed status callbacks it POSTs to a message's
`StatusCallback` when asked. Each request is checked against that description
(../shared/twilio-openapi/twilio_api_v2010.json beside the repository); what does not fit is
kept in `violations`. Answers can be scripted: accepted, an error, too slow, cut off mid-body,
or a proxy's HTML page.
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
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from twilio.request_validator import RequestValidator

SPEC = Path(__file__).resolve().parents[1].parent / "shared/twilio-openapi/twilio_api_v2010.json"
MESSAGES_PATH = "/2010-04-01/Accounts/{AccountSid}/Messages.json"
MESSAGE_SCHEMA = "api.v2010.account.message"


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


def violations_of_create(form) -> list[str]:
    schema = create_message_schema()
    found = [f"unknown field {name}" for name in form if name not in schema["properties"]]
    found += [f"missing field {name}" for name in schema.get("required", []) if name not in form]
    return found


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

    def answer_next(self, *answers):
        """Answer the next create requests so, in order; then accept again."""
        self.script.extend(answers)

    @property
    def sent(self):
        """The SMS Twilio accepted: dicts of To, From, Body, StatusCallback."""
        return [r["form"] for r in self.requests if r["answer"].accepted]

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
