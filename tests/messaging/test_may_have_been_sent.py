"""An SMS whose request reached Twilio but whose answer was lost is not sent again blindly.

A 201 cut off mid-body, a proxy's 200 HTML page, a read timeout after the request went out:
Twilio may have the message. It waits as "unknown" until Twilio's own list of messages says
whether it took it (then its SID is recorded), or its status callback names it.
"""

import pytest
from django.urls import reverse

from airtng.messaging.models import Message
from airtng.messaging.services import queue_sms
from tests.fake_twilio import Answer

pytestmark = pytest.mark.django_db

TIMEOUT_SECONDS = 0.3
CUT_OFF = Answer(cut=True)
HTML_PAGE = Answer(html=True)
READ_TIMEOUT = Answer(delay=TIMEOUT_SECONDS * 4)
LOST_ANSWERS = pytest.mark.parametrize(
    "answer", [CUT_OFF, HTML_PAGE, READ_TIMEOUT], ids=["cut-201", "html-200", "read-timeout"]
)


@pytest.fixture(autouse=True)
def short_timeout(twilio, settings):
    settings.TWILIO_TIMEOUT_SECONDS = TIMEOUT_SECONDS


@pytest.fixture
def message(db):
    return queue_sms(to="+12015550123", body="Your stay starts tomorrow.")


def state(message):
    message.refresh_from_db()
    return message.status


@LOST_ANSWERS
def test_a_lost_answer_leaves_the_message_unknown_and_says_why(twilio, run_worker, message, answer):
    twilio.answer_next(answer)

    run_worker()

    message.refresh_from_db()
    assert (message.status, message.sid, message.lease_expires_at) == ("unknown", None, None)
    assert message.error_message.split(":")[0] in (
        "ChunkedEncodingError",
        "JSONDecodeError",
        "ReadTimeout",
    )


@LOST_ANSWERS
def test_an_unknown_message_is_not_sent_again_by_later_runs_or_sweeps(
    twilio, run_worker, message, answer
):
    twilio.answer_next(answer)
    run_worker()

    run_worker()
    run_worker()

    assert len(twilio.requests) == 1
    assert state(message) == "unknown"


def test_when_twilio_took_it_its_sid_is_recorded_and_nothing_is_sent_again(
    twilio, run_worker, time_passes, message
):
    twilio.answer_next(CUT_OFF)
    run_worker()

    time_passes()
    run_worker()

    [taken] = twilio.messages
    message.refresh_from_db()
    assert (message.status, message.sid) == ("queued", taken["sid"])
    assert len(twilio.requests) == 1


def test_when_twilio_never_took_it_it_is_sent_again_once(twilio, run_worker, time_passes, message):
    twilio.answer_next(HTML_PAGE)  # the proxy answered; Twilio has nothing
    run_worker()

    time_passes()
    run_worker()
    time_passes()
    run_worker()

    assert [sms["Body"] for sms in twilio.sent] == ["Your stay starts tomorrow."]
    assert len(twilio.requests) == 2
    message.refresh_from_db()
    assert (message.status, message.sid) == ("queued", twilio.messages[0]["sid"])


def test_an_older_sms_with_the_same_words_is_not_taken_for_it(
    twilio, run_worker, time_passes, message
):
    twilio.messages.append(
        {
            "sid": "SM" + "0" * 32,
            "to": message.to,
            "from": message.from_number,
            "body": message.body,
            "status": "delivered",
            "date_created": "Mon, 01 Jan 2024 00:00:00 +0000",
        }
    )
    twilio.answer_next(HTML_PAGE)
    run_worker()

    time_passes()
    run_worker()

    assert len(twilio.requests) == 2
    message.refresh_from_db()
    assert message.sid != "SM" + "0" * 32


def test_if_twilio_cannot_be_asked_it_stays_unknown_for_staff(
    twilio, run_worker, time_passes, message, settings
):
    twilio.answer_next(CUT_OFF)
    run_worker()
    settings.TWILIO_AUTH_TOKEN = "not-the-token"

    time_passes()
    run_worker()

    message.refresh_from_db()
    assert message.status == "unknown"
    assert message.error_message.startswith("Twilio could not be asked whether it took this SMS")
    assert len(twilio.requests) == 1


def test_its_status_callback_names_it_and_records_its_sid(
    twilio, run_worker, live_server, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    message = queue_sms(to="+12015550123", body="Your stay starts tomorrow.")
    twilio.answer_next(CUT_OFF)
    run_worker()
    [taken] = twilio.messages

    response = twilio.report(taken["sid"], "delivered")

    assert response.status_code == 204
    message.refresh_from_db()
    assert (message.status, message.sid) == ("delivered", taken["sid"])


def test_staff_can_send_an_unknown_message_again(twilio, run_worker, client, make_user, message):
    twilio.answer_next(HTML_PAGE)
    run_worker()
    client.force_login(make_user(is_staff=True, is_superuser=True))

    client.post(
        reverse("admin:messaging_message_changelist"),
        {"action": "retry_selected", "_selected_action": [message.pk]},
    )
    run_worker()

    message.refresh_from_db()
    assert message.status == "queued"
    assert len(twilio.sent) == 1
    assert Message.objects.get(pk=message.pk).attempts == 1
