"""A small stand-in for Twilio's REST API that the real twilio client talks HTTP to.

It checks Basic auth and the form fields of `POST /2010-04-01/Accounts/{sid}/Messages.json`,
records each request, and answers as scripted: accepted, an error, or too slowly.
"""

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Answer:
    status: int = 201
    code: int | None = None
    delay: float = 0.0
    message_status: str = "queued"  # what an accepted message's JSON says


ACCEPTED = Answer()


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    delay: float = 0.0
    script: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self):
        with self.lock:
            self.delay = 0.0
            self.script.clear()
            self.requests.clear()

    def answer_next(self, *answers):
        """Answer the next requests so, in order; then accept again."""
        self.script.extend(answers)

    @property
    def sent(self):
        """The SMS Twilio accepted: dicts of To, From, Body, StatusCallback."""
        return [r["form"] for r in self.requests if r["answer"].status == 201]

    def _next_answer(self):
        with self.lock:
            return self.script.pop(0) if self.script else ACCEPTED

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {
                    k: v[0]
                    for k, v in parse_qs(
                        self.rfile.read(length).decode(), keep_blank_values=True
                    ).items()
                }
                expected = (
                    "Basic "
                    + base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
                )
                path = f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
                if self.headers.get("Authorization") != expected:
                    return self.reply(401, {"code": 20003, "message": "Authenticate"})
                if self.path != path or not {"To", "From", "Body"} <= form.keys():
                    return self.reply(400, {"code": 21604, "message": "Missing fields"})
                answer = fake._next_answer()
                with fake.lock:
                    fake.requests.append({"form": form, "answer": answer})
                time.sleep(answer.delay or fake.delay)
                if answer.status != 201:
                    return self.reply(
                        answer.status,
                        {"code": answer.code, "message": f"Error {answer.code}", "status": 400},
                    )
                sid = f"SM{uuid.uuid4().hex}"
                self.reply(
                    201,
                    {
                        "sid": sid,
                        "status": answer.message_status,
                        "to": form["To"],
                        "from": form["From"],
                        "body": form["Body"],
                        "account_sid": fake.account_sid,
                    },
                )

            def reply(self, status, payload):
                body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

        return Handler


def serve(fake: FakeTwilio, port: int = 0):
    """Start serving `fake` on 127.0.0.1; returns the server (its URL, and shutdown())."""
    server = ThreadingHTTPServer(("127.0.0.1", port), fake.handler())
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    return server
