"""Delivery status callbacks move an SMS forward, never back, in whatever order they come."""

import pytest
from django.forms.models import model_to_dict
from twilio.request_validator import RequestValidator

from airtng.messaging.models import Message
from airtng.messaging.services import queue_sms
from tests.messaging.conftest import STATUS_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(twilio, run_worker, settings):
    """An SMS Twilio has taken: status queued, with its sid."""
    settings.PUBLIC_BASE_URL = ""  # the callbacks are signed for http://testserver
    message = queue_sms(to="+12015550199", body="Your stay starts tomorrow.")
    run_worker()
    message.refresh_from_db()
    assert (message.status, message.sid[:2]) == ("queued", "SM")
    return message


def status_of(message):
    message.refresh_from_db()
    return message.status


def test_callbacks_move_the_status_forward(sent, status_callback):
    seen = []
    for status in ("queued", "sent", "delivered"):
        response = status_callback(sent.sid, status)
        assert response.status_code == 204
        seen.append(status_of(sent))

    assert seen == ["queued", "sent", "delivered"]
    assert sent.error_code is None


@pytest.mark.parametrize(
    ("callbacks", "final"),
    [
        (["delivered", "sent"], "delivered"),
        (["sent", "queued"], "sent"),
        (["delivered", "queued", "sent", "delivered"], "delivered"),
        (["sent", "sent", "sent"], "sent"),
        (["undelivered", "sent", "delivered"], "undelivered"),
        (["failed", "delivered"], "failed"),
        (["delivered", "failed"], "delivered"),
    ],
)
def test_late_or_repeated_callbacks_never_move_it_backwards(
    sent, status_callback, callbacks, final
):
    for status in callbacks:
        assert status_callback(sent.sid, status).status_code == 204

    assert status_of(sent) == final


@pytest.mark.parametrize(("status", "code"), [("undelivered", 30003), ("failed", 30008)])
def test_undelivered_and_failed_record_the_error_code(sent, status_callback, status, code):
    status_callback(sent.sid, "sent")

    response = status_callback(sent.sid, status, ErrorCode=str(code))

    assert response.status_code == 204
    sent.refresh_from_db()
    assert (sent.status, sent.error_code) == (status, code)


def test_a_junk_error_code_still_records_the_status(sent, status_callback):
    status_callback(sent.sid, "failed", ErrorCode="abc")

    sent.refresh_from_db()
    assert (sent.status, sent.error_code) == ("failed", None)


def test_a_callback_arriving_while_the_worker_still_holds_the_sms_is_kept(sent, status_callback):
    # Twilio can call back before the worker that sent the SMS records its outcome.
    Message.objects.filter(pk=sent.pk).update(status="sending")

    status_callback(sent.sid, "sent")

    sent.refresh_from_db()
    assert (sent.status, sent.lease_expires_at) == ("sent", None)


def test_a_callback_for_an_unknown_sid_changes_nothing(sent, status_callback):
    before = model_to_dict(sent)

    response = status_callback("SM" + "f" * 32, "delivered")

    assert response.status_code == 204  # taken, so that Twilio does not retry it
    sent.refresh_from_db()
    assert model_to_dict(sent) == before


@pytest.mark.parametrize("status", ["bogus", "", "DELIVERED", "received", "accepted", "pending"])
def test_a_status_airtng_does_not_know_changes_nothing(sent, status_callback, status):
    before = model_to_dict(sent)

    response = status_callback(sent.sid, status)

    assert response.status_code == 204  # taken, so that Twilio does not retry it
    sent.refresh_from_db()
    assert model_to_dict(sent) == before


def test_a_callback_without_a_sid_or_status_changes_nothing(sent, status_callback):
    before = model_to_dict(sent)

    response = status_callback(None, None)

    assert response.status_code == 204  # taken, so that Twilio does not retry it
    sent.refresh_from_db()
    assert model_to_dict(sent) == before


def test_an_unsigned_callback_is_refused(sent, client):
    response = client.post(STATUS_URL, {"MessageSid": sent.sid, "MessageStatus": "delivered"})

    assert response.status_code == 403
    assert status_of(sent) == "queued"


def signed_post(client, params, *, token, signed_params=None):
    signature = RequestValidator(token).compute_signature(
        "http://testserver" + STATUS_URL, signed_params or params
    )
    return client.post(STATUS_URL, params, headers={"X-Twilio-Signature": signature})


def test_a_callback_signed_with_another_token_is_refused(sent, client):
    params = {"MessageSid": sent.sid, "MessageStatus": "delivered"}

    response = signed_post(client, params, token="someone-elses-token")

    assert response.status_code == 403
    assert status_of(sent) == "queued"


def test_a_callback_with_a_tampered_status_is_refused(sent, client, settings):
    signed = {"MessageSid": sent.sid, "MessageStatus": "sent"}

    response = signed_post(
        client,
        {**signed, "MessageStatus": "delivered"},
        token=settings.TWILIO_AUTH_TOKEN,
        signed_params=signed,
    )

    assert response.status_code == 403
    assert status_of(sent) == "queued"


def test_a_correctly_signed_minimal_callback_is_applied(sent, client, settings):
    params = {"MessageSid": sent.sid, "MessageStatus": "delivered"}

    response = signed_post(client, params, token=settings.TWILIO_AUTH_TOKEN)

    assert response.status_code == 204
    assert status_of(sent) == "delivered"


def test_the_callback_url_takes_only_post(sent, client):
    assert client.get(STATUS_URL).status_code == 405
