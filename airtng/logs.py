"""Logging on stdout, one line per event, each saying which request or task it belongs to."""

import logging
import sys
from contextvars import ContextVar

# What the current thread is doing: "GET /sms/status", "task 8f3c…", or "-".
doing = ContextVar("doing", default="-")


class AddContext(logging.Filter):
    def filter(self, record):
        record.doing = doing.get()
        return True


class Stdout(logging.StreamHandler):
    """The process's stdout as it is when each line is written (a test may have replaced it)."""

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, value):
        pass


class OneLineFormatter(logging.Formatter):
    """A traceback is one event: its lines are joined so that log collectors keep it whole."""

    def format(self, record):
        return super().format(record).replace("\n", " \\n ")


def log_context(get_response):
    """Middleware: every line logged while a request is answered names the request."""

    def middleware(request):
        token = doing.set(f"{request.method} {request.path}")
        try:
            return get_response(request)
        finally:
            doing.reset(token)

    return middleware
