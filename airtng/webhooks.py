"""The lean path: Twilio's webhooks skip the middleware that serves people in browsers.

A webhook has no session, user, flash messages, CSRF token or browser language, and
`twilio_webhook` checks its signature before anything else. So this middleware, after those
every request needs (the health checks, the log context, HTTPS and the security headers,
static files, the request size limit), calls a view marked by `twilio_webhook` itself and
returns its answer: sessions, locale, CSRF, authentication, the person's language and
messages never run for it. Every other request goes on through the whole stack.
"""

from functools import lru_cache

from django.urls import Resolver404, get_resolver, get_urlconf
from django.utils import translation

# Paths whose match each process remembers: Twilio calls a few paths all day long.
PATHS_REMEMBERED = 1024


def answer_twilio_webhooks(get_response):
    def middleware(request):
        match = webhook_at(get_resolver(get_urlconf()), request.path_info)
        if match is None:
            return get_response(request)
        request.resolver_match = match
        # The language a browser's request left active on this thread says nothing here:
        # with none active, LANGUAGE_CODE speaks.
        translation.deactivate()
        response = match.func(request, *match.args, **match.kwargs)
        # As CommonMiddleware would: with its length, the answer is sent whole, not chunked.
        if not response.streaming and "Content-Length" not in response:
            response.headers["Content-Length"] = str(len(response.content))
        return response

    return middleware


@lru_cache(maxsize=PATHS_REMEMBERED)
def webhook_at(resolver, path):
    """The match of a path served by a `twilio_webhook` view, else None.

    Remembered per resolver, so a URLconf changed (in tests) is resolved afresh; a match
    holds no state of the request it was found for.
    """
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return None
    return match if getattr(match.func, "twilio_webhook", False) else None
