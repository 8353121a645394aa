"""Twilio may yet take an SMS after a 5xx, a 429 or a refused connection; never after a 400.

A timeout after the request went out is another matter: see test_may_have_been_sent.py.
"""

import socket
from datetime import UTC, datetime

import pytest
import time_machine
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from airtng.messaging.models import OptOut
from airtng.messaging.services import MAX_ATTEMPTS, queue_sms
from tests.fake_twilio import Answer

pytestmark = pytest.mark.django_db

TIMEOUT_SECONDS = 0.3
SERVER_ERROR = Answer(status=500, code=20500)
TOO_MANY_REQUESTS = Answer(status=429, code=20429)
UNAVAILABLE = Answer(status=503, code=20503)
TRANSIENT = pytest.mark.parametrize(
    "answer", [SERVER_ERROR, TOO_MANY_REQUESTS, UNAVAILABLE], ids=["500", "429", "503"]
)


@pytest.fixture(autouse=True)
def short_timeout(twilio, settings):
    settings.TWILIO_TIMEOUT_SECONDS = TIMEOUT_SECONDS


@pytest.fixture
def message(make_user):
    user = make_user()
    return queue_sms(to=user.phone_number, body="Your stay starts tomorrow.", user=user)


def scheduled_retries():
    return list(
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).values_list(
            "run_after", flat=True
        )
    )


@TRANSIENT
def test_a_transient_failure_leaves_the_message_pending_for_later(
    twilio, run_worker, message, answer
):
    twilio.answer_next(answer)

    run_worker()

    message.refresh_from_db()
    assert message.status == "pending"
    assert message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert message.lease_expires_at is None
    assert message.sid is None
    assert message.error_message
    assert scheduled_retries() == [message.next_attempt_at]


def test_when_twilio_cannot_be_reached_the_message_waits_for_a_retry(
    twilio, run_worker, settings, message
):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{closed.getsockname()[1]}"

    run_worker()

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at > timezone.now()


@pytest.mark.parametrize(
    ("answer", "code"), [(SERVER_ERROR, 20500), (TOO_MANY_REQUESTS, 20429), (UNAVAILABLE, 20503)]
)
def test_the_last_error_is_recorded(twilio, run_worker, message, answer, code):
    twilio.answer_next(answer)

    run_worker()

    message.refresh_from_db()
    assert message.error_code == code


@TRANSIENT
def test_the_worker_does_not_retry_before_the_wait_is_over(twilio, run_worker, message, answer):
    twilio.answer_next(answer)
    run_worker()

    run_worker()

    assert len(twilio.requests) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)


@TRANSIENT
def test_once_the_wait_is_over_the_next_worker_run_sends_it_once(
    twilio, run_worker, time_passes, message, answer
):
    twilio.answer_next(answer)
    run_worker()

    time_passes()
    run_worker()
    run_worker()

    assert len(twilio.requests) == 2
    assert twilio.requests[-1]["form"]["Body"] == "Your stay starts tomorrow."
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == ("queued", 2, None)
    assert message.sid.startswith("SM")
    assert message.next_attempt_at is None


@TRANSIENT
def test_each_wait_is_twice_the_one_before(twilio, run_worker, message, answer):
    twilio.answer_next(*[answer] * 4)
    waits = []
    # A clock that stands still while the worker runs, and moves only when told.
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False) as clock:
        for _ in range(4):
            started = timezone.now()
            run_worker()
            message.refresh_from_db()
            waits.append((message.next_attempt_at - started).total_seconds())
            clock.move_to(message.next_attempt_at)

    assert waits == [5, 10, 20, 40]
    assert message.attempts == 4
    assert len(twilio.requests) == 4


def test_after_the_last_attempt_the_message_is_failed(twilio, run_worker, time_passes, message):
    twilio.answer_next(*[Answer(status=503, code=20503)] * MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS - 1):
        run_worker()
        time_passes()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", MAX_ATTEMPTS - 1)

    run_worker()
    time_passes()
    run_worker()

    message.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == (
        "failed",
        MAX_ATTEMPTS,
        20503,
    )
    assert len(twilio.requests) == MAX_ATTEMPTS
    assert twilio.sent == []


@pytest.mark.parametrize("code", [21211, 21614])
def test_a_number_twilio_cannot_text_is_failed_at_once_with_the_error_code(
    twilio, run_worker, time_passes, message, code
):
    twilio.answer_next(Answer(status=400, code=code))

    run_worker()
    time_passes()
    run_worker()

    message.refresh_from_db()
    assert (message.status, message.error_code, message.attempts) == ("failed", code, 1)
    assert len(twilio.requests) == 1
    assert scheduled_retries() == []
    assert not OptOut.objects.exists()


def test_a_recipient_who_replied_stop_is_failed_and_their_number_opted_out(
    twilio, run_worker, time_passes, message
):
    twilio.answer_next(Answer(status=400, code=21610))

    run_worker()
    time_passes()
    run_worker()

    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", 21610)
    assert len(twilio.requests) == 1
    assert OptOut.objects.filter(phone_number=message.to).exists()
    assert message.user.can_be_texted is False


def test_an_opted_out_number_with_no_user_is_recorded_and_not_texted_again(
    twilio, run_worker, make_user
):
    bystander = make_user()
    message = queue_sms(to="+12015550999", body="Hi")
    twilio.answer_next(Answer(status=400, code=21610))
    run_worker()

    later = queue_sms(to="+12015550999", body="Hi again")
    run_worker()

    message.refresh_from_db()
    later.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", 21610)
    assert (later.status, later.error_code) == ("failed", 21610)
    assert len(twilio.requests) == 1
    assert list(OptOut.objects.values_list("phone_number", flat=True)) == ["+12015550999"]
    assert bystander.can_be_texted is True


def test_a_failure_does_not_hold_up_the_other_messages(twilio, run_worker, message):
    twilio.answer_next(SERVER_ERROR)
    other = queue_sms(to="+12015550777", body="Another")

    run_worker()

    message.refresh_from_db()
    other.refresh_from_db()
    assert (message.status, other.status) == ("pending", "queued")
    assert [sms["Body"] for sms in twilio.sent] == ["Another"]
