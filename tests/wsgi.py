"""Requests to Airtng's WSGI application itself (airtng/wsgi.py), as gunicorn sends them.

Django's test client skips that application: it builds Django's handler of its own. These
requests go through what production runs, with the test client's care for the test's
transaction: `close_old_connections` is left out of the request signals meanwhile.
"""

import io
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from airtng.wsgi import application


@dataclass
class Answered:
    """The answer, read as a test client's response is (`status_code`, headers by name)."""

    status_code: int
    headers: list[tuple[str, str]]
    content: bytes

    def __getitem__(self, name):
        return next(value for key, value in self.headers if key.lower() == name.lower())

    def __contains__(self, name):
        return any(key.lower() == name.lower() for key, _value in self.headers)


@contextmanager
def _connection_kept():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def wsgi_request(method, url, body=b"", *, headers=None, app=application, **environ) -> Answered:
    """The application's answer to `url` (a path and its query), read and closed as a server
    does. Its middleware read their settings once: `app` may be one built since."""
    path, _sep, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body)) if body else "",
        **{
            f"HTTP_{name.upper().replace('-', '_')}": value
            for name, value in (headers or {}).items()
        },
        **environ,
    }
    started = []
    with _connection_kept():
        answer = app(environ, lambda status, headers: started.append((status, headers)))
        try:
            content = b"".join(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()
    status, headers = started[0]
    return Answered(int(status.split()[0]), list(headers), content)


def wsgi_form(url, params, *, signature, headers=None, **environ) -> Answered:
    """A url-encoded POST, as Twilio sends its webhooks."""
    return wsgi_request(
        "POST",
        url,
        urlencode(params, doseq=True).encode(),
        headers={"X-Twilio-Signature": signature, **(headers or {})},
        CONTENT_TYPE="application/x-www-form-urlencoded",
        **environ,
    )
