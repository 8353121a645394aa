"""Signed Twilio requests to the phone tree and the voice line, and their parsed TwiML."""

import pytest


@pytest.fixture(params=["GET", "POST"])
def call_webhook(request, twilio_get, twilio_post):
    """A signed request to a voice webhook, by GET and by POST (Twilio lets either be set)."""
    send = twilio_get if request.param == "GET" else twilio_post

    def call(path, params=None):
        return send(path, params or {})

    return call
