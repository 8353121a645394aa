"""A pool of proxy numbers, and a guest and host with a request between them."""

import pytest
from django.utils.crypto import get_random_string

from reservations import services
from tests.conftest import days_from_now

PROXY_A, PROXY_B, PROXY_C = "+15005550101", "+15005550102", "+15005550103"
AIRTNG = "+15005550006"


@pytest.fixture
def proxy_numbers(settings):
    settings.TWILIO_PROXY_NUMBERS = [PROXY_A, PROXY_B, PROXY_C]
    return settings.TWILIO_PROXY_NUMBERS


@pytest.fixture
def request_stay():
    """A request as the web makes it: through the service, so it gets its conversation."""

    def book(guest, listing, *, check_in=10, nights=3, message="We'd love to stay!"):
        return services.request_stay(
            guest=guest,
            property=listing,
            check_in=days_from_now(check_in),
            check_out=days_from_now(check_in + nights),
            guests=2,
            message=message,
        )

    return book


def sms_params(*, sender, to, body, sid=None):
    return {
        "MessageSid": sid or "SM" + get_random_string(32, "0123456789abcdef"),
        "AccountSid": "AC" + "0" * 32,
        "From": str(sender.phone_number) if hasattr(sender, "phone_number") else sender,
        "To": to,
        "Body": body,
        "NumMedia": "0",
    }


def call_params(*, caller, to, sid=None):
    return {
        "CallSid": sid or "CA" + get_random_string(32, "0123456789abcdef"),
        "AccountSid": "AC" + "0" * 32,
        "From": str(caller.phone_number) if hasattr(caller, "phone_number") else caller,
        "To": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
    }
