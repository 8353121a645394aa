from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.views.static import serve

# Each photo and thumbnail is stored under a new random name, never rewritten: cache it for good.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"


def media(request, path):
    """Uploaded photos, served by Django so that one process is the whole app, in production too.

    A busy deployment can let its web server or a CDN answer /media/ first (see the README).
    """
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT)
    except SuspiciousFileOperation:  # a path out of MEDIA_ROOT: there is nothing of ours there
        raise Http404 from None
    response["Cache-Control"] = MEDIA_CACHE_CONTROL
    return response
