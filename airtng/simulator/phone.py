"""A phone for the command line: it texts and calls Airtng over HTTP, as Twilio would."""

import secrets
from urllib.parse import urlencode, urljoin
from xml.etree import ElementTree

import requests
from django.conf import settings

from airtng.twilio import simulator_signature, twilio_url

MAX_HOPS = 50


class Refused(Exception):
    """Airtng answered with an error status instead of TwiML."""

    def __init__(self, status):
        super().__init__(f"Airtng answered {status}.")
        self.status = status


def sid(prefix):
    return prefix + secrets.token_hex(16)


class HttpTransport:
    """Requests to a running Airtng at `base_url`."""

    def __init__(self, base_url):
        self.origin = base_url.rstrip("/")

    def __call__(self, method, path, params, signature):
        response = requests.request(
            method,
            self.origin + path,
            data=params if method == "POST" else None,
            headers={"X-Twilio-Signature": signature},
            timeout=15,
        )
        return response.status_code, response.text


class TestClientTransport:
    """Requests through Django's test client, in this process (for tests and scripts).

    They go to a host ALLOWED_HOSTS lets in, over HTTPS when the site redirects to it, as
    they would on the configured site.
    """

    def __init__(self):
        from django.test import Client

        self.host = next(
            (host for host in settings.ALLOWED_HOSTS if host != "*" and not host.startswith(".")),
            "127.0.0.1",
        )
        self.secure = settings.SECURE_SSL_REDIRECT
        self.origin = f"{'https' if self.secure else 'http'}://{self.host}"
        self.client = Client(HTTP_HOST=self.host)

    def __call__(self, method, path, params, signature):
        send = self.client.post if method == "POST" else self.client.get
        response = send(
            path,
            params if method == "POST" else None,
            secure=self.secure,
            HTTP_X_TWILIO_SIGNATURE=signature,
        )
        return response.status_code, response.content.decode()


class Phone:
    def __init__(self, number, transport):
        self.number = number
        self.transport = transport
        self.account_sid = settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32

    def request(self, method, path, params):
        if method == "GET" and params:
            path = f"{path}{'&' if '?' in path else '?'}{urlencode(params)}"
            params = {}
        url = twilio_url(path, origin=self.transport.origin)
        return self.transport(method, path, params, simulator_signature(url, params))

    def text(self, body, to=None):
        """Send an SMS to Airtng (its own number, or `to`, a proxy); returns Airtng's replies."""
        status, twiml = self.request(
            "POST",
            "/reservations/incoming",
            {
                "MessageSid": sid("SM"),
                "AccountSid": self.account_sid,
                "From": self.number,
                "To": to or settings.TWILIO_PHONE_NUMBER,
                "Body": body,
                "NumMedia": "0",
            },
        )
        if status != 200:
            raise Refused(status)
        return [message.text or "" for message in ElementTree.fromstring(twiml).iter("Message")]

    def answer(self, digits=()):
        """Answer the oldest ringing call Airtng placed to this phone; yields what happens."""
        from ivr.calls import ringing_calls

        placed = ringing_calls(self.number).exclude(sid=None).first()
        if placed is None:
            yield "(no call from Airtng is ringing)"
            return
        yield f"Airtng is calling ({placed.sid}): answered"
        self.report(placed, "in-progress")
        # Airtng placed it: From is Airtng's number, and the SID proves who answers.
        inbound = {"From": settings.TWILIO_PHONE_NUMBER, "To": self.number}
        yield from self.call(
            "/voice", digits, CallSid=placed.sid, Direction="outbound-api", **inbound
        )
        self.report(placed, "completed")

    def report(self, placed, status):
        """Twilio's status callback about the call Airtng placed, as the phone's carrier saw it."""
        from ivr.calls import status_callback_path

        self.request(
            "POST",
            status_callback_path(placed),
            {
                "CallSid": placed.sid,
                "AccountSid": self.account_sid,
                "CallStatus": status,
                "CallDuration": "0",
                "From": settings.TWILIO_PHONE_NUMBER,
                "To": self.number,
                "Direction": "outbound-api",
            },
        )

    def call(self, path="/voice", digits=(), to=None, **placed):
        """Call Airtng (its own number, or `to`, a proxy) at `path`, pressing `digits` at each
        <Gather>; yields what happens.

        `placed` fields make it a call Airtng placed to this phone, answered.
        """
        digits = list(digits)
        params = {
            "CallSid": sid("CA"),
            "AccountSid": self.account_sid,
            "From": self.number,
            "To": to or settings.TWILIO_PHONE_NUMBER,
            "CallStatus": "in-progress",
            "Direction": "inbound",
            # The simulated carrier vouches that this phone owns its number.
            "StirVerstat": "TN-Validation-Passed-A",
        }
        if placed:
            del params["StirVerstat"]
            params.update(placed)
        method, extra = "POST", {}
        for _ in range(MAX_HOPS):
            status, twiml = self.request(method, path, {**params, **extra})
            if status != 200:
                yield f"(Airtng answered {status})"
                return
            next_step = None
            for verb in ElementTree.fromstring(twiml):
                if verb.tag == "Say":
                    yield f"Say: {verb.text or ''}"
                elif verb.tag == "Play":
                    yield f"Play: {verb.text or ''}"
                elif verb.tag == "Gather":
                    for inner in verb:
                        if inner.tag in ("Say", "Play"):
                            yield f"{inner.tag}: {inner.text or ''}"
                    if not digits:
                        yield "(no key pressed)"
                        continue
                    pressed = digits.pop(0)
                    yield f"Press: {pressed}"
                    next_step = (
                        verb.get("action") or path,
                        verb.get("method", "POST"),
                        {"Digits": pressed},
                    )
                    break
                elif verb.tag == "Redirect":
                    next_step = (verb.text or path, verb.get("method", "POST"), {})
                    break
                elif verb.tag == "Dial":
                    # The number is the verb's text, or a <Number> inside it.
                    dialled = "".join(verb.itertext()).strip()
                    if verb.get("callerId"):
                        dialled += f" (they see {verb.get('callerId')} calling)"
                    yield f"Dial: {dialled}"
                    return
                elif verb.tag in ("Hangup", "Reject"):
                    yield "Hang up"
                    return
            if next_step is None:
                yield "Hang up"
                return
            target, method, extra = next_step
            path = target if target.startswith("/") else urljoin(path, target)
        yield "(too many redirects)"
