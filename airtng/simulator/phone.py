"""A phone that texts and calls Airtng over its signed webhooks, as Twilio would.

The command line and the page both use it; twiml.py interprets what Airtng answers.
"""

import secrets
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils import translation

from airtng.twilio import simulator_signature, twilio_url

from .twiml import Answer, Call, messages_of, path_of

# The simulated carrier vouches that this phone owns its number (STIR/SHAKEN A-attestation).
VOUCHED = "TN-Validation-Passed-A"
API_VERSION = "2010-04-01"


class Refused(Exception):
    """Airtng answered with an error status instead of TwiML."""

    def __init__(self, status):
        super().__init__(f"Airtng answered {status}.")
        self.status = status


def sid(prefix):
    return prefix + secrets.token_hex(16)


def cookie_header(cookies: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


class HttpTransport:
    """Requests to a running Airtng at `base_url`."""

    def __init__(self, base_url):
        self.origin = base_url.rstrip("/")

    def __call__(self, method, url, params, signature, cookies):
        headers = {"X-Twilio-Signature": signature}
        if cookies:
            headers["Cookie"] = cookie_header(cookies)
        response = requests.request(
            method,
            self.origin + path_of(url),
            data=params if method == "POST" else None,
            headers=headers,
            timeout=15,
            allow_redirects=False,
        )
        return Answer(
            response.status_code, response.content, response.raw.headers.getlist("Set-Cookie")
        )


class TestClientTransport:
    """Requests through Django's test client, in this process: for the page, tests and scripts.

    They go to `host` (else one ALLOWED_HOSTS lets in), over HTTPS when `secure` or the site
    redirects to it, as they would on the configured site.
    """

    def __init__(self, host=None, secure=None):
        from django.test import Client

        self.host = host or next(
            (h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith(".")),
            "127.0.0.1",
        )
        self.secure = settings.SECURE_SSL_REDIRECT if secure is None else secure
        self.origin = f"{'https' if self.secure else 'http'}://{self.host}"
        # A webhook that fails answers 500, as it would to Twilio, instead of raising here.
        self.client = Client(HTTP_HOST=self.host, raise_request_exception=False)

    def __call__(self, method, url, params, signature, cookies):
        send = self.client.post if method == "POST" else self.client.get
        # The webhook activates its own language: the page that asked keeps its own.
        with translation.override(translation.get_language()):
            response = send(
                path_of(url),
                params if method == "POST" else None,
                secure=self.secure,
                HTTP_X_TWILIO_SIGNATURE=signature,
                HTTP_COOKIE=cookie_header(cookies),
            )
        self.client.cookies.clear()  # the call keeps its cookies, not this client
        return Answer(
            response.status_code,
            response.content,
            [morsel.OutputString() for morsel in response.cookies.values()],
        )


NUMBERS_STATUS_PATH = "/voice/status"
CALL_PARAMS = ("CallSid", "AccountSid", "From", "To", "Direction", "ApiVersion")


class Phone:
    def __init__(self, number, transport):
        self.number = number
        self.transport = transport
        self.account_sid = settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32

    def url(self, path):
        """Where Twilio would send a request for `path`: PUBLIC_BASE_URL, else our origin."""
        return twilio_url(path, origin=self.transport.origin)

    def fetch(self, method, url, params, cookies=None):
        """One signed request, as Twilio sends it; the interpreter's way to reach Airtng."""
        return self.transport(method, url, params, simulator_signature(url, params), cookies or {})

    # --- SMS ------------------------------------------------------------------------------

    def text(self, body, to=None):
        """Send an SMS to Airtng (its own number, or `to`, a proxy); returns Airtng's replies."""
        message_sid = sid("SM")
        params = {
            "MessageSid": message_sid,
            "SmsSid": message_sid,
            "AccountSid": self.account_sid,
            "From": self.number,
            "To": to or settings.TWILIO_PHONE_NUMBER,
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "ApiVersion": API_VERSION,
        }
        answer = self.fetch("POST", self.url("/reservations/incoming"), params)
        if answer.status != 200:
            raise Refused(answer.status)
        return messages_of(answer.body)

    def report_sms(self, message_sid, status, airtng_side=None):
        """Twilio's status callback about an SMS Airtng sent to this phone."""
        params = {
            "MessageSid": message_sid,
            "MessageStatus": status,
            "AccountSid": self.account_sid,
            "From": airtng_side or settings.TWILIO_PHONE_NUMBER,
            "To": self.number,
            "ApiVersion": API_VERSION,
        }
        if status == "failed":
            params["ErrorCode"] = "30008"
        return self.fetch("POST", self.url("/sms/status"), params).status

    # --- Calls ----------------------------------------------------------------------------

    def dial(self, path="/voice", to=None) -> Call:
        """A call from this phone to Airtng (its own number, or `to`, a proxy) at `path`."""
        params = {
            "CallSid": sid("CA"),
            "AccountSid": self.account_sid,
            "From": self.number,
            "To": to or settings.TWILIO_PHONE_NUMBER,
            "Direction": "inbound",
            "ApiVersion": API_VERSION,
            "StirVerstat": VOUCHED,
        }
        call = Call.placed(url=self.url(path), params=params)
        # Airtng's number sends its "Call status changes" here (README): Twilio reports the end.
        call.state["status_path"] = NUMBERS_STATUS_PATH
        return call

    def ringing(self):
        """The oldest call Airtng placed to this phone that is ringing, or None."""
        from ivr.calls import ringing_calls

        return ringing_calls(self.number).exclude(sid=None).first()

    def answer(self, placed) -> Call:
        """Answer the call Airtng placed: Twilio reports it in progress, then asks /voice."""
        self.report(placed.sid, placed_status_path(placed), "in-progress")
        params = {
            "CallSid": placed.sid,
            "AccountSid": self.account_sid,
            # Airtng placed it: From is Airtng's number, and the SID proves who answers.
            "From": settings.TWILIO_PHONE_NUMBER,
            "To": self.number,
            "Direction": "outbound-api",
            "ApiVersion": API_VERSION,
        }
        call = Call.placed(url=self.url("/voice"), params=params, ringing=False)
        call.state["status_path"] = placed_status_path(placed)
        return call

    def finish(self, call: Call):
        """The call has ended: Twilio's last status callback, with its duration, about the
        call as it was made (from this phone, or from Airtng to it)."""
        status_path = call.state.get("status_path")
        if status_path:
            made = call.state["params"]
            params = {key: made[key] for key in CALL_PARAMS if key in made}
            params |= {"CallStatus": "completed", "CallDuration": str(call.seconds)}
            self.fetch("POST", self.url(status_path), params)

    def report(self, call_sid, status_path, status, seconds=0):
        """Twilio's status callback about a call Airtng placed, as the phone's carrier saw it."""
        params = {
            "CallSid": call_sid,
            "AccountSid": self.account_sid,
            "CallStatus": status,
            "CallDuration": str(seconds),
            "From": settings.TWILIO_PHONE_NUMBER,
            "To": self.number,
            "Direction": "outbound-api",
            "ApiVersion": API_VERSION,
        }
        return self.fetch("POST", self.url(status_path), params).status


def placed_status_path(placed) -> str:
    from ivr.calls import status_callback_path

    path = status_callback_path(placed)
    return path if not urlsplit(path).netloc else path_of(path)
