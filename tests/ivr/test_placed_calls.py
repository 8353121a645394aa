"""Airtng calls hosts who cannot reply by SMS, or who chose it, about each request.

../shared/PRODUCT.md, "Deciding without SMS": Twilio's Calls API, the call reads the request and
takes 1 or 2; that Airtng placed the call proves who answers; an unanswered or busy call is
retried twice, 10 minutes apart; /voice/status records the outcome.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from airtng.messaging.models import Direction, Message
from ivr.calls import MAX_ATTEMPTS, RETRY_DELAY
from ivr.models import Call
from reservations import services
from reservations.models import Reservation
from tests.conftest import grant, twiml_root
from tests.fake_twilio import Answer, CallOutcome
from tests.ivr.conftest import AIRTNG, JAPANESE_NUMBER, PUBLIC

Status = Reservation.Status


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = PUBLIC


@pytest.fixture
def host_in_japan(make_user):
    return make_user(first_name="Haruto", email="haruto@example.com", phone_number=JAPANESE_NUMBER)


@pytest.fixture
def request_(host_in_japan, make_property, make_reservation, guest):
    return make_reservation(make_property(host_in_japan), guest)


@pytest.fixture
def placed(twilio, run_worker, request_):
    """Airtng has called Haruto about Gus's request; the Call row."""
    run_worker()
    return Call.objects.get()


def texts_to(user):
    return list(
        Message.objects.filter(direction=Direction.OUTBOUND, to=str(user.phone_number))
        .order_by("id")
        .values_list("body", flat=True)
    )


def said(root):
    return [say.text for say in root.iter("Say")]


def test_a_host_in_japan_gets_the_link_sms_and_a_call(twilio, placed, host_in_japan, request_):
    [sms] = [sms for sms in twilio.sent if sms["To"] == JAPANESE_NUMBER]
    assert "Accept or reject it here: https://airtng.example.com/d/" in sms["Body"]
    [call] = twilio.placed_calls
    assert call == {
        "To": JAPANESE_NUMBER,
        "From": AIRTNG,
        "Url": f"{PUBLIC}/voice?call={placed.pk}&attempt=1",
        "StatusCallback": f"{PUBLIC}/voice/status?call={placed.pk}&attempt=1",
    }
    assert placed.sid == twilio.calls[0]["sid"]
    assert (placed.status, placed.attempts, placed.direction) == ("queued", 1, "out")
    assert (placed.user, placed.reservation) == (host_in_japan, request_)


@pytest.mark.parametrize(("decide_by", "called"), [("call", True), ("link", False), ("sms", False)])
def test_a_host_elsewhere_is_called_only_if_they_chose_it(
    twilio, run_worker, make_user, make_property, make_reservation, guest, decide_by, called
):
    host = make_user(decide_by=decide_by)
    make_reservation(make_property(host), guest)

    run_worker()

    assert len(twilio.placed_calls) == int(called)
    assert Call.objects.filter(to=str(host.phone_number)).exists() == called


def test_the_call_reads_the_request_and_1_accepts(twilio_calls, placed, request_, guest):
    root = twiml_root(twilio_calls("/voice", placed.sid))
    action = root.find("./Gather").attrib["action"]

    assert said(root)[0].startswith("Hello Haruto, this is Airtng. Gus asks to stay at")
    assert said(root)[0].endswith("Press 1 to accept, or 2 to reject.")

    answer = twiml_root(twilio_calls(action, placed.sid, Digits="1"))

    assert said(answer)[0].startswith("You have successfully confirmed the reservation.")
    request_.refresh_from_db()
    assert (request_.status, request_.decided_via) == (Status.CONFIRMED, "phone")
    assert texts_to(guest)[-1].startswith("Your recent request to stay at")


def test_2_rejects(twilio_calls, placed, request_):
    action = twiml_root(twilio_calls("/voice", placed.sid)).find("./Gather").attrib["action"]

    answer = twiml_root(twilio_calls(action, placed.sid, Digits="2"))

    assert said(answer)[0].startswith("You have successfully rejected the reservation.")
    request_.refresh_from_db()
    assert request_.status == Status.REJECTED


def test_a_call_sid_airtng_did_not_place_proves_nothing(twilio_calls, placed, request_):
    forged = "CA" + "9" * 32
    # Someone claims Airtng called them: From is our number, To is the host's.
    root = twiml_root(twilio_calls("/voice", forged))

    assert said(root) == ["Thanks for calling!"]
    assert root.find(".//Gather") is None


def test_a_decision_under_another_calls_sid_decides_nothing(twilio_calls, placed, request_):
    action = twiml_root(twilio_calls("/voice", placed.sid)).find("./Gather").attrib["action"]

    answer = twiml_root(twilio_calls(action, "CA" + "9" * 32, Digits="1"))

    assert "Sorry, it looks like you don't have any reservations to respond to." in said(answer)
    request_.refresh_from_db()
    assert request_.status == Status.PENDING


def test_a_placed_call_about_an_ended_request_says_there_is_nothing_to_answer(
    twilio_calls, placed, request_, guest
):
    services.cancel_reservation(reservation=request_, guest=guest)

    root = twiml_root(twilio_calls("/voice", placed.sid))

    assert said(root) == [
        "Hello Haruto, this is Airtng.",
        "Sorry, it looks like you don't have any reservations to respond to.",
    ]
    assert root.find("./Hangup") is not None


def test_the_status_callback_records_status_and_duration(twilio_calls, placed):
    url = f"/voice/status?call={placed.pk}&attempt=1"

    response = twilio_calls(url, placed.sid, CallStatus="completed", CallDuration="42")

    assert response.status_code == 204
    placed.refresh_from_db()
    assert (placed.status, placed.duration) == ("completed", 42)


def test_the_status_callback_needs_twilios_signature(client, placed):
    response = client.post("/voice/status", {"CallSid": placed.sid, "CallStatus": "completed"})

    assert response.status_code == 403
    placed.refresh_from_db()
    assert placed.status == "queued"


@pytest.mark.parametrize(
    "fields",
    [
        {"CallStatus": "nonsense"},
        {"CallStatus": ""},
        {"CallDuration": "-3", "CallStatus": "completed"},
        {"CallDuration": "x" * 50, "CallStatus": "completed"},
    ],
)
def test_a_strange_callback_never_fails(twilio_calls, placed, fields):
    response = twilio_calls("/voice/status?call=abc&attempt=" + "9" * 40, placed.sid, **fields)

    assert response.status_code == 204


def test_a_callback_about_an_unknown_call_changes_nothing(twilio_calls, placed):
    response = twilio_calls("/voice/status", "CA" + "7" * 32, CallStatus="completed")

    assert response.status_code == 204
    placed.refresh_from_db()
    assert placed.status == "queued"


def test_a_callback_that_arrives_before_the_sid_is_recorded_names_the_call(
    twilio_calls, twilio, run_worker, request_
):
    run_worker()
    call = Call.objects.get()
    Call.objects.filter(pk=call.pk).update(status="placing", sid=None)
    sid = "CA" + "5" * 32

    twilio_calls(f"/voice/status?call={call.pk}&attempt={call.attempts}", sid, CallStatus="busy")

    call.refresh_from_db()
    assert call.sid == sid


def test_an_unanswered_call_is_placed_again_twice_10_minutes_apart(
    twilio, twilio_calls, run_worker, request_
):
    with time_machine.travel(datetime(2030, 1, 1, tzinfo=UTC), tick=False) as clock:
        request_.__class__.objects.filter(pk=request_.pk).update(created_at=datetime.now(UTC))
        run_worker()
        placed_at = []
        for outcome in ["no-answer", "busy", "no-answer"]:
            call = Call.objects.get()
            placed_at.append(datetime.now(UTC))
            status = f"/voice/status?call={call.pk}&attempt={call.attempts}"
            twilio_calls(status, call.sid, CallStatus=outcome, CallDuration="0")
            run_worker()  # nothing is due yet
            clock.move_to(datetime.now(UTC) + RETRY_DELAY)
            run_worker()

    call = Call.objects.get()
    assert len(twilio.placed_calls) == MAX_ATTEMPTS == 3
    assert [b - a for a, b in zip(placed_at, placed_at[1:], strict=False)] == [RETRY_DELAY] * 2
    assert (call.status, call.attempts) == ("no-answer", 3)
    assert call.next_attempt_at is not None  # the last wait is recorded, never placed


def test_no_retry_once_the_request_is_decided(twilio, twilio_calls, run_worker, placed, request_):
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        twilio_calls(
            f"/voice/status?call={placed.pk}&attempt=1", placed.sid, CallStatus="no-answer"
        )
        services.decide_reservation(reservation=request_, accepted=False, via="web")
        clock.move_to(datetime.now(UTC) + RETRY_DELAY + timedelta(seconds=1))
        run_worker()

    placed.refresh_from_db()
    assert len(twilio.placed_calls) == 1
    assert placed.status == "canceled"


def test_a_failed_call_is_not_retried(twilio, twilio_calls, run_worker, placed):
    twilio_calls(f"/voice/status?call={placed.pk}&attempt=1", placed.sid, CallStatus="failed")

    placed.refresh_from_db()
    assert placed.status == "failed"
    assert placed.next_attempt_at is None


def test_twilio_unavailable_is_retried_later(twilio, run_worker, request_):
    twilio.answer_next_calls(Answer(status=503, code=20503))

    run_worker()

    call = Call.objects.get()
    assert (call.status, call.attempts) == ("pending", 1)
    assert call.error_message.endswith("Error 20503")
    assert call.next_attempt_at is not None


def test_a_number_twilio_cannot_call_is_failed(twilio, run_worker, request_):
    twilio.answer_next_calls(Answer(status=400, code=21215))

    run_worker()

    call = Call.objects.get()
    assert call.status == "failed"
    assert call.error_message.endswith("Error 21215")
    assert call.next_attempt_at is None


def test_a_late_or_repeated_callback_moves_nothing_back(twilio_calls, placed):
    url = f"/voice/status?call={placed.pk}&attempt=1"
    twilio_calls(url, placed.sid, CallStatus="completed", CallDuration="20")

    twilio_calls(url, placed.sid, CallStatus="ringing")
    twilio_calls(url, placed.sid, CallStatus="no-answer")

    placed.refresh_from_db()
    assert (placed.status, placed.duration) == ("completed", 20)
    assert Call.objects.count() == 1


def test_without_credentials_the_call_is_recorded_and_rings_in_the_simulator(run_worker, request_):
    run_worker()

    call = Call.objects.get()
    assert call.status == "queued"
    assert call.sid.startswith("CA")


def test_without_public_base_url_twilio_is_not_asked(twilio, run_worker, settings, request_):
    settings.PUBLIC_BASE_URL = ""

    run_worker()

    call = Call.objects.get()
    assert call.status == "failed"
    assert twilio.placed_calls == []


def test_the_call_log_is_in_the_admin(client, make_user, placed):
    staff = grant(make_user(is_staff=True), "ivr.view_call")
    client.force_login(staff)
    url = reverse("admin:ivr_call_changelist")

    def listed(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return [call.pk for call in response.context["cl"].result_list]

    page = client.get(url).text
    assert JAPANESE_NUMBER in page
    assert "By status" in page
    assert listed(status__exact="queued") == [placed.pk]
    assert listed(status__exact="completed") == []
    assert listed(q="9012345678") == [placed.pk]
    assert listed(q="+12025550000") == []
    assert client.get(reverse("admin:ivr_call_add")).status_code == 403
    change = client.get(reverse("admin:ivr_call_change", args=[placed.pk]))
    assert change.status_code == 200
    assert 'name="status"' not in change.text  # read only


@pytest.fixture
def live_twilio(twilio, settings, live_server):
    """The fake Twilio calls back to the running site, as Twilio calls PUBLIC_BASE_URL."""
    settings.PUBLIC_BASE_URL = live_server.url
    return twilio


def test_twilio_answered_the_host_pressed_1_and_the_guest_was_told(
    live_twilio, run_worker, request_, guest
):
    live_twilio.callees(CallOutcome("completed", digits=("1",), duration=31))

    run_worker()
    live_twilio.settle()

    heard = live_twilio.heard()
    assert heard[0].startswith("Hello Haruto, this is Airtng. Gus asks to stay at")
    assert heard[1].startswith("You have successfully confirmed the reservation.")
    request_.refresh_from_db()
    assert request_.status == Status.CONFIRMED
    call = Call.objects.get()
    assert (call.status, call.duration) == ("completed", 31)
    run_worker()
    assert live_twilio.sent[-1]["To"] == str(guest.phone_number)
    assert "was confirmed." in live_twilio.sent[-1]["Body"]


@pytest.mark.parametrize("outcome", ["no-answer", "busy"])
def test_twilio_reports_an_unanswered_call_and_it_is_placed_again(
    live_twilio, run_worker, request_, outcome
):
    live_twilio.callees(CallOutcome(outcome))

    run_worker()
    live_twilio.settle()

    call = Call.objects.get()
    assert (call.status, call.attempts) == ("pending", 1)
    assert call.error_message == f"Attempt 1: {Call.Status(outcome).label}"
    assert call.next_attempt_at is not None


def test_a_call_whose_worker_died_while_dialling_is_placed_by_the_next_worker(
    twilio, run_worker, placed
):
    gone = timezone.now() - timedelta(minutes=5)
    Call.objects.filter(pk=placed.pk).update(status="placing", lease_expires_at=gone, sid=None)

    run_worker()

    placed.refresh_from_db()
    assert (placed.status, placed.attempts) == ("queued", 2)
    assert len(twilio.placed_calls) == 2
