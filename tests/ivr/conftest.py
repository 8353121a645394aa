"""Signed Twilio requests to the phone tree and the voice line, and their parsed TwiML."""

from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from twilio.request_validator import RequestValidator


@pytest.fixture
def twilio_get(client, settings):
    """GET a Twilio webhook the way Twilio does: parameters in the URL, the URL signed."""

    def get(path, params=None, **headers):
        query = urlencode(params or {})
        if query:
            path = f"{path}{'&' if '?' in path else '?'}{query}"
        url = f"http://testserver{path}"
        signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, {})
        return client.get(path, headers={"X-Twilio-Signature": signature, **headers})

    return get


@pytest.fixture(params=["GET", "POST"])
def call_webhook(request, twilio_get, twilio_post):
    """A signed request to a voice webhook, by GET and by POST (Twilio lets either be set)."""
    send = twilio_get if request.param == "GET" else twilio_post

    def call(path, params=None):
        return send(path, params or {})

    return call


def twiml_root(response):
    """The parsed TwiML of a 200 answer: text/xml, UTF-8, well-formed, rooted at <Response>."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Response"
    return root
