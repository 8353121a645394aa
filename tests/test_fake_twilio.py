"""The fake Twilio answers as Twilio's OpenAPI description (../shared/twilio-openapi) says."""

import requests

from tests.conftest import TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN
from tests.fake_twilio import (
    Answer,
    call_fields,
    message_fields,
    violations_of_create,
    violations_of_create_call,
)

MESSAGES = f"/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json"
AUTH = (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)
FORM = {"To": "+12015550123", "From": "+15005550006", "Body": "Hi"}


def test_an_accepted_message_has_every_field_of_the_message_resource(twilio_server):
    fake, server = twilio_server
    fake.reset()

    answer = requests.post(server.url + MESSAGES, data=FORM, auth=AUTH, timeout=5)

    assert answer.status_code == 201
    resource = answer.json()
    assert set(resource) == set(message_fields())
    for name, schema in message_fields().items():
        if resource[name] is not None and schema.get("type") == "string":
            assert isinstance(resource[name], str), name
    assert (resource["to"], resource["from"], resource["body"]) == (
        "+12015550123",
        "+15005550006",
        "Hi",
    )


def test_an_error_body_carries_the_http_status(twilio_server):
    fake, server = twilio_server
    fake.reset()
    fake.answer_next(Answer(status=429, code=20429))

    answer = requests.post(server.url + MESSAGES, data=FORM, auth=AUTH, timeout=5)

    assert answer.status_code == 429
    assert answer.json() == {
        "code": 20429,
        "message": "Error 20429",
        "more_info": "https://www.twilio.com/docs/errors/20429",
        "status": 429,
    }


def test_wrong_credentials_get_twilios_401(twilio_server):
    _, server = twilio_server

    answer = requests.post(server.url + MESSAGES, data=FORM, auth=("AC" + "9" * 32, "x"), timeout=5)

    assert answer.status_code == 401
    assert (answer.json()["code"], answer.json()["status"]) == (20003, 401)


def test_a_field_twilio_does_not_know_is_a_violation():
    assert violations_of_create({**FORM, "Bodyy": "typo"}) == ["unknown field Bodyy"]
    assert violations_of_create({"From": "+15005550006"}) == ["missing field To"]
    assert (
        violations_of_create({**FORM, "StatusCallback": "https://x/y", "SmartEncoded": "true"})
        == []
    )


def test_listed_messages_are_the_ones_taken_newest_first(twilio_server):
    fake, server = twilio_server
    fake.reset()
    for body in ("first", "second"):
        requests.post(server.url + MESSAGES, data={**FORM, "Body": body}, auth=AUTH, timeout=5)

    page = requests.get(server.url + MESSAGES, params={"To": FORM["To"]}, auth=AUTH, timeout=5)

    assert [m["body"] for m in page.json()["messages"]] == ["second", "first"]
    assert fake.violations == []


CALLS = f"/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Calls.json"
CALL_FORM = {
    "To": "+819012345678",
    "From": "+15005550006",
    "Url": "https://airtng.example.com/voice",
    "StatusCallback": "https://airtng.example.com/voice/status",
}


def test_a_placed_call_has_every_field_of_the_call_resource(twilio_server):
    fake, server = twilio_server
    fake.reset()

    answer = requests.post(server.url + CALLS, data=CALL_FORM, auth=AUTH, timeout=5)

    assert answer.status_code == 201
    resource = answer.json()
    assert set(resource) == set(call_fields())
    assert resource["sid"].startswith("CA")
    assert (resource["to"], resource["from"], resource["status"]) == (
        "+819012345678",
        "+15005550006",
        "queued",
    )
    assert fake.placed_calls == [CALL_FORM]
    assert fake.sent == []


def test_a_call_request_twilio_would_refuse_is_a_violation(twilio_server):
    fake, server = twilio_server
    fake.reset()
    form = {**CALL_FORM, "Url": "/voice", "Urll": "typo"}

    answer = requests.post(server.url + CALLS, data=form, auth=AUTH, timeout=5)

    assert answer.status_code == 400
    assert fake.violations == ["unknown field Urll", "Url is not an absolute URL"]
    fake.reset()


def test_a_call_needs_instructions_and_both_numbers():
    assert violations_of_create_call({"To": "+819012345678", "From": "+15005550006"}) == [
        "missing field Url, Twiml or ApplicationSid"
    ]
    assert violations_of_create_call({"Url": CALL_FORM["Url"]}) == [
        "missing field To",
        "missing field From",
    ]
