"""The phone's busiest steps answered before Django's request handling, as WhiteNoise serves
files before it.

A phone-tree step's answer is TwiML each process has compiled (ivr/tree.py), and so is what a
stranger hears at /voice. Building Django's request, running its middleware and its response
cost twice what finding such an answer does (bench/README.md). So the WSGI application first
asks the path's answerer, if it has one, about a POST that needs nothing of Django's request
handling: a url-encoded form within the size limits, signed, on HTTPS where it is required,
to a deployment that knows its PUBLIC_BASE_URL (so the Host plays no part in the signature).

Every other request, and any the answerer declines (None), goes to Django, which answers it
as before: a bad signature gets its 403, a NUL byte its cleaning, a Host its check, a GET or
a caller with an account their view. It is still a request to Django's receivers:
`request_started` and `request_finished` are sent, so database connections get their upkeep,
and the call log is written once the answer is sent (ivr/signals.py).
"""

import io
import logging
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import NamedTuple

from django.conf import settings
from django.core import signals
from django.core.exceptions import TooManyFieldsSent
from django.http.cookie import parse_cookie

from .logs import doing
from .twilio import FORM, form_fields, is_signed, signed_fields

logger = logging.getLogger(__name__)


class Cookie(NamedTuple):
    name: str
    value: str
    path: str


class Answer(NamedTuple):
    document: bytes  # TwiML
    cookie: Cookie | None = None  # HttpOnly, as the views set theirs


Answerer = Callable[[str, dict, dict[str, str]], Answer | None]  # path, form, cookies
HEADERS = [("Content-Type", "text/xml; charset=utf-8")]


def answer_webhooks_first(django_application, answerer_for: Callable[[str], Answerer | None]):
    """The WSGI application: `answerer_for(path)` first, for the requests described above,
    else Django."""

    def application(environ, start_response):
        path = environ.get("PATH_INFO", "")
        answerer = answerer_for(path) if environ.get("REQUEST_METHOD") == "POST" else None
        body = None if answerer is None else _body_to_answer(environ)
        if body is None:
            return django_application(environ, start_response)
        try:
            fields = form_fields(body)
        except TooManyFieldsSent:
            fields = None
        if fields is None or not is_signed(
            settings.PUBLIC_BASE_URL.rstrip("/") + path,
            signed_fields(fields),
            environ.get("HTTP_X_TWILIO_SIGNATURE", ""),
        ):
            return _to_django(django_application, environ, body, start_response)
        signals.request_started.send(sender=Sent, environ=environ)
        token = doing.set(f"POST {path}")
        try:
            answered = answerer(path, fields, parse_cookie(environ.get("HTTP_COOKIE", "")))
        except Exception:
            # Django answers it as it would have: with its own error page and log, if it fails.
            logger.warning("Passed to Django after an error", exc_info=True)
            answered = None
        finally:
            doing.reset(token)
        if answered is None:
            signals.request_finished.send(sender=Sent)
            return _to_django(django_application, environ, body, start_response)
        headers = [*HEADERS, ("Content-Length", str(len(answered.document)))]
        if answered.cookie is not None:
            headers.append(("Set-Cookie", cookie_header(answered.cookie)))
        start_response("200 OK", headers)
        return Sent(answered.document)

    return application


def _body_to_answer(environ) -> bytes | None:
    """The body of a request this path may answer, read whole; None for any other request."""
    if (
        not settings.PUBLIC_BASE_URL
        or environ.get("QUERY_STRING")
        or environ.get("SCRIPT_NAME")
        or environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != FORM
        or (settings.SECURE_SSL_REDIRECT and not _is_secure(environ))
    ):
        return None
    length = environ.get("CONTENT_LENGTH") or ""
    if not length.isdigit() or not 0 < int(length) <= _largest_body():
        return None
    body = environ["wsgi.input"].read(int(length))
    if len(body) != int(length) or b"%00" in body or b"\x00" in body:
        environ["wsgi.input"] = io.BytesIO(body)
        return None
    return body


def _largest_body() -> int:
    limits = [settings.MAX_REQUEST_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE]
    return min(limit for limit in limits if limit is not None)


def _is_secure(environ) -> bool:
    """As `HttpRequest.is_secure()` decides, from the WSGI environ."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def _to_django(django_application, environ, body, start_response):
    environ["wsgi.input"] = io.BytesIO(body)
    return django_application(environ, start_response)


def cookie_header(cookie: Cookie) -> str:
    """What `HttpResponse.set_cookie(name, value, path=path, httponly=True)` sends."""
    if cookie.value.replace(".", "").isalnum() and cookie.value.isascii():
        # Nothing to quote (a revision and a CallSid): written out, at a tenth of the cost.
        return f"{cookie.name}={cookie.value}; HttpOnly; Path={cookie.path}"
    jar = SimpleCookie()
    jar[cookie.name] = cookie.value
    jar[cookie.name]["path"] = cookie.path
    jar[cookie.name]["httponly"] = True
    return jar.output(header="").strip()


class Sent:
    """The answer's body; closing it (after the server has sent it) ends the request."""

    def __init__(self, document: bytes):
        self.document = document

    def __iter__(self):
        yield self.document

    def close(self):
        signals.request_finished.send(sender=Sent)
