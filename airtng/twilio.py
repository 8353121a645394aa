"""The one Twilio client and the one webhook decorator. No app builds its own."""

import base64
import hmac
import re
import threading
from functools import cache, lru_cache, wraps
from hashlib import sha1
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import HttpResponse, HttpResponseForbidden
from django.utils.crypto import salted_hmac
from django.utils.datastructures import MultiValueDict
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

# XML 1.0 cannot carry these, and twilio's TwiML builder writes them out unescaped.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def twilio_is_configured():
    return bool(settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN)


@cache
def _client(account_sid, auth_token, base_url, timeout, thread):
    client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=timeout))
    client.api.base_url = base_url
    return client


def twilio_client() -> Client:
    """One client per thread (a worker sends from several), and per configuration."""
    return _client(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_API_BASE_URL,
        settings.TWILIO_TIMEOUT_SECONDS,
        threading.get_ident(),
    )


def twilio_url(path, *, origin=""):
    """The URL Twilio uses for `path`: under PUBLIC_BASE_URL, else under `origin` (our own).

    Signatures and callback URLs depend on it.
    """
    return (settings.PUBLIC_BASE_URL or origin).rstrip("/") + path


def request_origin(request):
    return f"{request.scheme}://{request.get_host()}"


def has_valid_signature(request):
    """Signed by Twilio with the auth token, or by the phone simulator with its own key.

    Twilio's algorithm (twilio.request_validator), with the signed text built once and the
    auth token tried first: one HMAC for a genuine request from Twilio.
    """
    signature = request.META.get("HTTP_X_TWILIO_SIGNATURE")
    if not signature:
        return False
    fields = signed_fields(request.POST) if request.method == "POST" else ""
    origin = "" if settings.PUBLIC_BASE_URL else request_origin(request)
    return is_signed(twilio_url(request.get_full_path(), origin=origin), fields, signature)


def is_signed(url: str, fields: str, signature: str) -> bool:
    """Whether `signature` signs a request to `url` with these fields (`signed_fields`)."""
    if not signature:
        return False
    keys = _signing_keys(settings.TWILIO_AUTH_TOKEN, settings.DEBUG, settings.SECRET_KEY)
    expected = signature.encode()
    return any(
        hmac.compare_digest(_signature_of(key, (signed + fields).encode()), expected)
        for signed in _as_twilio_may_sign(url)
        for key in keys
    )


@cache
def _signing_keys(auth_token: str, debug: bool, secret_key: str) -> tuple[bytes, ...]:
    """The keys a webhook may be signed with, the auth token first."""
    keys = []
    # With no token anyone can sign; only the embedded development run may allow that.
    if auth_token or debug:
        keys.append(auth_token.encode())
    keys.append(_simulator_key(secret_key).encode())
    return tuple(keys)


def _signature_of(key: bytes, text: bytes) -> bytes:
    return base64.b64encode(hmac.digest(key, text, sha1))


def signed_fields(params: MultiValueDict) -> str:
    """The fields as Twilio signs them: sorted by name, each name's distinct values sorted."""
    return "".join(
        [
            name + value
            for name, values in sorted(params.lists())
            for value in (values if len(values) == 1 else sorted(set(values)))
        ]
    )


def _as_twilio_may_sign(url: str):
    """`url` as it is, then with its port removed or the scheme's added: Twilio signs either."""
    yield url
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return
    if port:
        yield parts._replace(netloc=parts.netloc.rsplit(":", 1)[0]).geturl()
    else:
        default = 443 if parts.scheme == "https" else 80
        yield parts._replace(netloc=f"{parts.netloc}:{default}").geturl()


def twilio_webhook(methods=("POST",)):
    """A view Twilio calls: signature checked before anything else, CSRF exempt.

    A missing or wrong X-Twilio-Signature gets an empty 403 before the view runs.
    """

    def decorator(view):
        @csrf_exempt
        @require_http_methods(list(methods))
        @wraps(view)
        def checked(request, *args, **kwargs):
            if request.method == "POST" and request.content_type == FORM:
                request.POST = form_fields(request.body)
            if not has_valid_signature(request):
                return HttpResponseForbidden()
            query = request.META.get("QUERY_STRING", "")
            if "%00" in query or "\x00" in query:
                request.GET = without_nul_bytes(request.GET)
            if request.method == "POST" and has_nul_bytes(request):
                request.POST = without_nul_bytes(request.POST)
            return view(request, *args, **kwargs)

        checked.twilio_webhook = True
        return checked

    return decorator


FORM = "application/x-www-form-urlencoded"


def form_fields(body: bytes) -> MultiValueDict:
    """A url-encoded body's fields, read as Django's QueryDict reads a form, at a third of its
    cost.

    Every Twilio webhook is such a form, read once per request before anything else; QueryDict
    adds each field through three layers of checks, and `parse_qsl` unquotes each name and
    value through a generator, though most of Twilio's need nothing or one `%2B`.
    """
    try:
        text = body.decode()
    except UnicodeDecodeError:
        text = body.decode("iso-8859-1")
    if not text:
        return MultiValueDict()
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    # Counted as parse_qsl counts, empty fields included.
    if limit is not None and text.count("&") >= limit:
        raise TooManyFieldsSent(
            "The number of POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
        )
    fields = {}
    for field in text.split("&"):
        if field:
            name, _, value = field.partition("=")
            fields.setdefault(_unquoted(name), []).append(_unquoted(value))
    return MultiValueDict(fields)


# Every request carries the same few numbers (From, To, Caller, Called: %2B…), each decoded
# once per process.
NUMBER_LENGTH = 40
NUMBERS_REMEMBERED = 1024


def _unquoted(text: str) -> str:
    """`unquote_plus(text)`, the same text for the same input."""
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    if len(text) <= NUMBER_LENGTH:
        return _short_unquoted(text)
    return _percent_decoded(text)


@lru_cache(maxsize=NUMBERS_REMEMBERED)
def _short_unquoted(text: str) -> str:
    return _percent_decoded(text)


def _percent_decoded(text: str) -> str:
    if text.isascii():  # one ASCII run: what unquote decodes, the same way
        return unquote_to_bytes(text).decode(errors="replace")
    return unquote(text)


def has_nul_bytes(request) -> bool:
    """Whether the parsed body may hold a NUL: only %00 decodes to one in a url-encoded body."""
    if request.content_type != FORM:
        return True
    return b"%00" in request.body or b"\x00" in request.body


def without_nul_bytes(params: MultiValueDict) -> MultiValueDict:
    """Twilio never sends NUL and PostgreSQL cannot store it: no view has to think of it."""
    cleaned = params.copy()
    for name, values in params.lists():
        cleaned.setlist(name, [value.replace("\x00", "") for value in values])
    return cleaned


def twiml_document(response) -> bytes:
    """A MessagingResponse or VoiceResponse as Twilio wants it: well-formed, whatever it says."""
    return NOT_XML.sub("", str(response)).encode()


def twiml(response) -> HttpResponse:
    """The TwiML answer: a MessagingResponse, a VoiceResponse, or a document already written."""
    document = response if isinstance(response, bytes) else twiml_document(response)
    return HttpResponse(document, content_type="text/xml; charset=utf-8")


def signature(url, params) -> str:
    """The X-Twilio-Signature Twilio would send to `url` with `params`."""
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)


def simulator_key() -> str:
    """The phone simulator's signing key: never the auth token, unknown without SECRET_KEY.

    A signature handed to a browser is then no oracle for the live Twilio account.
    """
    return _simulator_key(settings.SECRET_KEY)


@cache
def _simulator_key(secret_key: str) -> str:
    return salted_hmac(
        "airtng.simulator", "webhook signing key", secret=secret_key, algorithm="sha256"
    ).hexdigest()


def simulator_signature(url, params) -> str:
    """The signature the phone simulator sends in X-Twilio-Signature."""
    return RequestValidator(simulator_key()).compute_signature(url, params)
