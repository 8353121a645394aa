from django.conf import settings
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    """413 for a body over MAX_REQUEST_BYTES, decided from its headers before anyone reads it.

    A chunked body has no length to check; Django would read none of it, so it is refused
    too rather than silently dropped.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or ""
        if not length and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
            return HttpResponse(
                _("Send the request with a Content-Length."), status=411, content_type="text/plain"
            )
        try:
            too_large = int(length) > settings.MAX_REQUEST_BYTES if length else False
        except ValueError:
            return HttpResponse(status=400)
        if too_large:
            return _too_large(request, int(length))
        return self.get_response(request)


def _too_large(request, length):
    """413, as a page for a browser (a form with too many photos, say), else as plain text."""
    if "text/html" not in request.headers.get("Accept", ""):
        return HttpResponse(_("The request is too large."), status=413, content_type="text/plain")
    # Before the session and the person's language are known: the browser's language.
    with translation.override(translation.get_language_from_request(request)):
        page = render_to_string(
            "request_too_large.html",
            {"size": filesizeformat(length), "max": filesizeformat(settings.MAX_REQUEST_BYTES)},
        )
    return HttpResponse(page, status=413)
