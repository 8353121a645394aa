from django.conf import settings
from django.views.static import serve


def media(request, path):
    """Uploaded photos, served by Django so that one process is the whole app.

    A busy deployment can let its web server or a CDN answer /media/ first.
    """
    return serve(request, path, document_root=settings.MEDIA_ROOT)
