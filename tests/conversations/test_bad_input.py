"""Whatever Twilio-shaped nonsense reaches a proxy number, the answer is TwiML, never a 500."""

import pytest

from tests.conftest import twiml_root
from tests.conversations.conftest import PROXY_A


@pytest.fixture
def stay(proxy_numbers, guest, listing, request_stay):
    return request_stay(guest, listing)


BAD_FIELDS = [
    {},
    {"From": ""},
    {"From": "not a number"},
    {"From": "+1" + "9" * 40},
    {"From": "+12015550100", "Body": "\x00\x01\x0b😀" * 3},
    {"MessageSid": "x" * 200, "CallSid": "y" * 200},
    {"Body": "z" * 5000},
]


@pytest.mark.parametrize("fields", BAD_FIELDS)
@pytest.mark.parametrize("path", ["/reservations/incoming", "/voice"])
def test_bad_input_to_a_proxy_gets_twiml(stay, twilio_post, path, fields):
    params = {"To": PROXY_A, "AccountSid": "AC" + "0" * 32, **fields}

    twiml_root(twilio_post(path, params))
