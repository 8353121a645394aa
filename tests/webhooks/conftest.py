"""What every webhook test needs: the contract's Twilio URLs and a Twilio-shaped form POST."""

from urllib.parse import urlencode

import pytest
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict
from twilio.request_validator import RequestValidator

# ../shared/PRODUCT.md, "Webhooks": every URL Twilio calls, with the methods it may use.
CONTRACT_TWILIO_ROUTES = {
    "/reservations/incoming": ("POST",),
    "/sms/status": ("POST",),
    "/voice": ("GET", "POST"),
    "/ivr/welcome": ("GET", "POST"),
    "/ivr/menu": ("GET", "POST"),
    "/ivr/planets": ("GET", "POST"),
}
# Twilio calls these too (a <Gather> action), though PRODUCT.md does not list them yet.
UNLISTED_TWILIO_ROUTES = {
    "/voice/decision": ("GET", "POST"),
}


def routed(path):
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


# The Twilio URLs built so far; the ones still to come join every test once routed.
TWILIO_METHODS = {**CONTRACT_TWILIO_ROUTES, **UNLISTED_TWILIO_ROUTES}
TWILIO_ROUTES = [path for path in TWILIO_METHODS if routed(path)]


def signature(url, params, token):
    """X-Twilio-Signature as Twilio computes it; a list value is a repeated field."""
    fields = MultiValueDict(
        {name: value if isinstance(value, list) else [value] for name, value in params.items()}
    )
    return RequestValidator(token).compute_signature(url, fields)


@pytest.fixture
def form_post(client):
    """POST form fields url-encoded, as Twilio does, with whatever signature the test says."""

    def post(path, params, signature=None):
        headers = {} if signature is None else {"X-Twilio-Signature": signature}
        return client.post(
            path,
            urlencode(params, doseq=True),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )

    return post
