"""The X-Twilio-Signature for a request to one of Airtng's webhooks, for whoever plays Twilio."""

import json
from urllib.parse import urlsplit

from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_POST

from airtng.twilio import request_origin, simulator_signature, twilio_url

from ..access import simulator_allowed


@simulator_allowed
@require_POST
def sign(request):
    """The X-Twilio-Signature Twilio would send for a request to one of our webhooks."""
    try:
        wanted = json.loads(request.body)
        path, params = wanted["path"], wanted.get("params", {})
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest()
    if not isinstance(path, str) or not is_twilio_webhook(path):
        return HttpResponseBadRequest()
    if not isinstance(params, dict):
        return HttpResponseBadRequest()
    params = {str(k): str(v) for k, v in params.items()}
    url = twilio_url(path, origin=request_origin(request))
    return JsonResponse({"signature": simulator_signature(url, params)})


def is_twilio_webhook(path):
    """Whether `path` is one of Airtng's Twilio webhooks, the only addresses we sign for."""
    url = urlsplit(path)
    if url.scheme or url.netloc or not url.path.startswith("/") or "/." in url.path:
        return False
    try:
        view = resolve(url.path).func
    except Resolver404:
        return False
    return getattr(view, "twilio_webhook", False)
