"""What every webhook test needs: the contract's Twilio URLs and a Twilio-shaped form POST."""

from urllib.parse import urlencode

import pytest
from django.utils.datastructures import MultiValueDict
from twilio.request_validator import RequestValidator

# ../shared/PRODUCT.md, "Webhooks": every URL Twilio calls that Airtng serves, with the methods it
# may use. Fixed here, not read from the URLconf: a webhook routed but missing from this list fails
# test_no_other_route_is_a_webhook_or_exempt_from_csrf.
TWILIO_METHODS = {
    "/reservations/incoming": ("POST",),
    "/sms/status": ("POST",),
    "/voice": ("GET", "POST"),
    "/voice/decision": ("GET", "POST"),
    "/voice/status": ("POST",),
    "/ivr/welcome": ("GET", "POST"),
    "/ivr/menu": ("GET", "POST"),
    "/ivr/planets": ("GET", "POST"),
}
TWILIO_ROUTES = list(TWILIO_METHODS)
# What a genuine request gets: TwiML, except for the status callback, which has nothing to say.
STATUS_CALLBACKS = {"/sms/status", "/voice/status"}
GENUINE_ANSWER = {route: 204 if route in STATUS_CALLBACKS else 200 for route in TWILIO_ROUTES}


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
