"""With no TWILIO_AUTH_TOKEN anyone can sign: only the development run accepts that."""

import pytest
from twilio.request_validator import RequestValidator

PARAMS = {"MessageSid": "SM" + "e" * 32, "From": "+12015550123", "Body": "accept"}


def signed_with_the_empty_key(client, path="/reservations/incoming"):
    signature = RequestValidator("").compute_signature(f"http://testserver{path}", PARAMS)
    return client.post(path, PARAMS, headers={"X-Twilio-Signature": signature})


@pytest.mark.django_db
def test_production_refuses_webhooks_when_no_token_is_set(client, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    settings.DEBUG = False

    response = signed_with_the_empty_key(client)

    assert response.status_code == 403


@pytest.mark.django_db
def test_the_development_run_accepts_them_so_the_simulator_works(client, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    settings.DEBUG = True

    response = signed_with_the_empty_key(client)

    assert response.status_code == 200
