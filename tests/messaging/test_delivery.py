"""An SMS the apps queue is sent by the worker, through the real twilio client, exactly once."""

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from airtng.messaging.models import Direction, Message
from airtng.messaging.services import queue_sms
from tests.fake_twilio import Answer

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_the_worker_sends_a_queued_sms_with_to_from_and_body(twilio, run_worker, make_user):
    user = make_user()
    queue_sms(to=user.phone_number, body="Your stay starts tomorrow.", user=user)
    assert twilio.requests == []

    run_worker()

    # The fake answers 401 unless the request carries the account's Basic auth.
    assert twilio.sent == [
        {
            "To": str(user.phone_number),
            "From": "+15005550006",
            "Body": "Your stay starts tomorrow.",
            "SmartEncoded": "true",
        }
    ]


def test_the_from_number_is_airtngs_own(twilio, run_worker, settings):
    settings.TWILIO_PHONE_NUMBER = "+15005550009"
    message = queue_sms(to="+12015550123", body="Hi")

    run_worker()

    assert message.from_number == "+15005550009"
    assert twilio.sent[0]["From"] == "+15005550009"


def test_the_sid_and_twilios_status_are_recorded(twilio, run_worker):
    message = queue_sms(to="+12015550123", body="Hi")

    run_worker()

    message.refresh_from_db()
    assert message.direction == Direction.OUTBOUND
    assert (message.status, message.attempts, message.error_code) == ("queued", 1, None)
    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.lease_expires_at, message.next_attempt_at) == (None, None)


def test_running_the_worker_again_sends_nothing_more(twilio, run_worker):
    queue_sms(to="+12015550123", body="Hi")

    run_worker()
    run_worker()

    assert len(twilio.requests) == 1


def test_each_queued_sms_is_sent_once(twilio, run_worker):
    for n in range(3):
        queue_sms(to=f"+1201555012{n}", body=f"Message {n}")

    run_worker()

    assert sorted(sms["Body"] for sms in twilio.sent) == ["Message 0", "Message 1", "Message 2"]
    assert len(twilio.requests) == 3
    assert len(set(Message.objects.values_list("sid", flat=True))) == 3


def test_twilio_is_told_where_to_send_status_callbacks(twilio, run_worker, settings):
    settings.PUBLIC_BASE_URL = "https://airtng.example.com/"
    message = queue_sms(to="+12015550123", body="Hi")

    run_worker()

    # The message's id names it even if its SID is never recorded.
    assert twilio.sent[0]["StatusCallback"] == (
        f"https://airtng.example.com/sms/status?message={message.pk}"
    )


def test_without_a_public_url_no_status_callback_is_asked_for(twilio, run_worker, settings):
    settings.PUBLIC_BASE_URL = ""
    queue_sms(to="+12015550123", body="Hi")

    run_worker()

    assert len(twilio.sent) == 1
    assert "StatusCallback" not in twilio.sent[0]


def test_a_body_longer_than_twilio_accepts_is_cut_to_1600_characters(twilio, run_worker):
    queue_sms(to="+12015550123", body="x" * 2000)

    run_worker()

    assert twilio.sent[0]["Body"] == "x" * 1600


def test_without_twilio_credentials_the_sms_is_only_recorded(twilio, run_worker, settings):
    settings.TWILIO_ACCOUNT_SID = ""
    message = queue_sms(to="+12015550123", body="Hi")

    run_worker()

    message.refresh_from_db()
    assert message.status == "sent"
    assert twilio.requests == []


def test_a_recorded_sms_can_still_be_reported_delivered(
    twilio, run_worker, settings, status_callback
):
    settings.TWILIO_ACCOUNT_SID = ""
    message = queue_sms(to="+12015550123", body="Hi")
    run_worker()
    message.refresh_from_db()

    status_callback(message.sid, "delivered")

    message.refresh_from_db()
    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "delivered"


def test_wrong_credentials_fail_the_sms_without_retrying(twilio, run_worker, settings, time_passes):
    settings.TWILIO_AUTH_TOKEN = "not-the-token"
    message = queue_sms(to="+12015550123", body="Hi")

    run_worker()
    time_passes()
    run_worker()

    message.refresh_from_db()
    assert (message.status, message.error_code, message.attempts) == ("failed", 20003, 1)
    assert twilio.requests == []  # refused before the fake looked at it


def test_a_rolled_back_transaction_leaves_no_message_and_no_task(twilio, run_worker):
    with pytest.raises(Boom), transaction.atomic():
        queue_sms(to="+12015550123", body="Hi")
        assert Message.objects.count() == DBTaskResult.objects.count() == 1
        raise Boom

    run_worker()

    assert not Message.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert twilio.requests == []


def test_twilios_sending_status_is_not_taken_for_a_workers_claim(
    twilio, run_worker, status_callback
):
    twilio.answer_next(Answer(message_status="sending"))
    message = queue_sms(to="+12015550123", body="Hi")

    run_worker()
    message.refresh_from_db()
    status_callback(message.sid, "sending")

    message.refresh_from_db()
    assert message.status == "queued"
    assert message.lease_expires_at is None
