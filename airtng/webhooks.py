"""The lean path: Twilio's webhooks skip the middleware that serves people in browsers.

A webhook has no session, user, flash messages, CSRF token or browser language, and
`twilio_webhook` checks its signature before anything else. So this middleware, after those
every request needs (the health checks, the log context, HTTPS and the security headers,
static files, the request size limit), calls a view marked by `twilio_webhook` itself and
returns its answer: sessions, locale, CSRF, authentication, the person's language and
messages never run for it. Every other request goes on through the whole stack.
"""

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import translation


def answer_twilio_webhooks(get_response):
    def middleware(request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return get_response(request)
        if not getattr(match.func, "twilio_webhook", False):
            return get_response(request)
        request.resolver_match = match
        # The language a browser's request left active on this thread says nothing here.
        translation.activate(settings.LANGUAGE_CODE)
        try:
            return match.func(request, *match.args, **match.kwargs)
        finally:
            translation.deactivate()

    return middleware
