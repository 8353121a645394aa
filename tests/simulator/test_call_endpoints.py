"""The page's endpoints: the server plays the call, the page moves it on; texts, polls, and
who may use them. No input gets a 500."""

import pytest

from airtng.messaging.models import Message
from airtng.messaging.services import queue_sms
from ivr.models import Call
from reservations.models import Reservation
from tests.conftest import SIMULATOR_PERMISSIONS, grant

pytestmark = pytest.mark.django_db

START, ANSWER, REFUSE = "/phone/call/start", "/phone/call/answer", "/phone/call/refuse"
SEND, STATUS, MESSAGES, CALLS = (
    "/phone/sms/send",
    "/phone/sms/status",
    "/phone/messages",
    "/phone/calls",
)
PHONE = "+15555550100"
JAPANESE_NUMBER = "+819012345678"


@pytest.fixture(autouse=True)
def twilio_signs(twilio, settings):
    settings.PUBLIC_BASE_URL = ""


@pytest.fixture
def staff(client, make_user):
    user = grant(make_user(first_name="Stella", is_staff=True), *SIMULATOR_PERMISSIONS)
    client.force_login(user)
    return user


def start(client, line="ivr", number=PHONE, **fields):
    return client.post(START, {"number": number, "line": line, **fields})


def move(client, call_id, name, **fields):
    return client.post(f"/phone/call/{call_id}/{name}", fields)


def screen(played):
    return [step["text"] for step in played["steps"] if step["on_screen"]]


# --- A call, move by move ----------------------------------------------------------------


def test_a_call_to_et_phone_home_waits_for_a_key_then_dials_the_planet(client, staff):
    started = start(client)
    assert started.status_code == 200
    call = started.json()

    assert screen(call)[0].startswith("Thanks for calling the E T Phone Home Service.")
    assert call["waiting"] == {"digits": "", "num_digits": 1, "finish_on_key": "#", "timeout": 5}
    assert not call["ended"]
    menu = move(client, call["id"], "press", key="2").json()
    dialled = move(client, call["id"], "press", key="3").json()

    assert screen(menu)[0] == "2"
    assert screen(dialled)[:2] == ["3", "Connecting to +17262043675…"]
    assert dialled["ended"] and dialled["waiting"] is None
    requests = [
        s["text"]
        for s in call["steps"] + menu["steps"] + dialled["steps"]
        if s["kind"] == "request"
    ]
    assert requests == [
        "→ POST /ivr/welcome",
        "→ POST /ivr/menu Digits=2",
        "→ POST /ivr/planets Digits=3",
    ]
    assert all(len(step["at_label"]) == 8 for step in dialled["steps"])


def test_waiting_out_the_timeout_ends_et_phone_home(client, staff):
    call = start(client).json()

    waited = move(client, call["id"], "wait").json()

    assert screen(waited) == ["No key within 5 s.", "Airtng hung up."]
    assert waited["ended"]


def test_an_ended_call_cannot_be_moved_on(client, staff):
    call = start(client).json()
    move(client, call["id"], "hang-up")

    response = move(client, call["id"], "press", key="1")

    assert response.status_code == 404
    assert response.json() == {"error": "This call is over."}


def test_another_browser_cannot_move_the_call_on(client, staff, make_user):
    from django.test import Client

    call = start(client).json()
    other = Client()
    other.force_login(grant(make_user(is_staff=True), *SIMULATOR_PERMISSIONS))

    assert move(other, call["id"], "press", key="1").status_code == 404


@pytest.mark.parametrize("key", ["", "a", "12", "##", "\x00"])
def test_a_key_not_on_the_keypad_is_refused(client, staff, key):
    call = start(client).json()

    response = move(client, call["id"], "press", key=key)

    assert response.status_code == 400
    assert response.json()["error"]


def test_an_unknown_move_is_refused(client, staff):
    call = start(client).json()

    assert move(client, call["id"], "dance").status_code == 404
    assert client.get(f"/phone/call/{call['id']}/press").status_code == 405


def test_the_voice_line_greets_the_caller(client, staff):
    call = start(client, line="voice").json()

    assert screen(call) == ["Thanks for calling!", "Airtng hung up."]


def test_a_call_to_a_proxy_number_it_does_not_serve_is_refused(client, staff):
    response = start(client, to="+15005550199")

    assert response.status_code == 400
    assert response.json() == {"error": "That is not one of Airtng's numbers."}


# --- Numbers that are not E.164, and other odd input ---------------------------------------

BAD_NUMBERS = ["", "2025550101", "+1 202 555 0101", "+0123", "+1" + "9" * 10_000, "☎️<b>", "+1\x00"]


@pytest.mark.parametrize("number", BAD_NUMBERS)
@pytest.mark.parametrize("url", [START, SEND, ANSWER, REFUSE, STATUS])
def test_a_number_that_is_not_e164_is_refused_with_a_message(client, staff, url, number):
    response = client.post(url, {"number": number, "line": "ivr", "body": "hi", "status": "busy"})

    assert response.status_code == 400
    assert response.json()["error"]


def test_the_message_says_what_was_wrong(client, staff):
    response = start(client, number="+1" + "9" * 10_000)

    assert response.json()["error"] == (
        "“+19999999999999999999999…” is not a phone number in E.164 form, like +12025550101."
    )


@pytest.mark.parametrize("number", BAD_NUMBERS[1:])
@pytest.mark.parametrize("url", [MESSAGES, CALLS])
def test_a_poll_for_a_number_that_is_not_e164_is_refused(client, staff, url, number):
    response = client.get(url, {"number": number})

    assert response.status_code == 400
    assert response.json()["error"]


def test_a_poll_names_the_phone_it_is_for(client, staff):
    assert client.get(MESSAGES, {"number": PHONE}).json()["number"] == PHONE
    assert client.get(CALLS, {"number": PHONE}).json()["number"] == PHONE
    assert client.get(MESSAGES).json() == {
        "number": "",
        "messages": [],
        "proxies": {},
        "opted_out": False,
    }


# --- Texts ---------------------------------------------------------------------------------


def test_stop_and_start_show_in_the_phones_opt_out(client, staff):
    def opted_out():
        return client.get(MESSAGES, {"number": PHONE}).json()["opted_out"]

    assert not opted_out()
    assert client.post(SEND, {"number": PHONE, "body": "STOP"}).json() == {"replies": []}
    assert opted_out()
    client.post(SEND, {"number": PHONE, "body": "START"})
    assert not opted_out()


@pytest.mark.parametrize(
    "body", ["x" * 1601, "", "\x00 hidden"], ids=["too long", "empty", "nul byte"]
)
def test_an_sms_the_phone_cannot_send_is_refused(client, staff, body):
    response = client.post(SEND, {"number": PHONE, "body": body})

    assert response.status_code == 400
    assert response.json()["error"]


def test_odd_text_is_sent_and_answered(client, staff):
    response = client.post(SEND, {"number": PHONE, "body": "🏡 <Response>&amp; ' \" ありがとう"})

    assert response.status_code == 200
    assert response.json()["replies"] == [
        "Sorry, it looks like you don't have any reservations to respond to."
    ]
    assert Message.objects.get(direction="in").body == "🏡 <Response>&amp; ' \" ありがとう"


def test_each_sms_has_its_time(client, staff, time_machine):
    time_machine.move_to("2026-12-01 10:00:05+00:00", tick=False)
    client.post(SEND, {"number": PHONE, "body": "hello"})

    (message,) = client.get(MESSAGES, {"number": PHONE}).json()["messages"]

    assert message["at_label"] == "2026-12-01 10:00:05"


def test_marking_an_sms_delivered_reports_it_as_twilio_would(client, staff, guest, run_worker):
    sms = queue_sms(to=str(guest.phone_number), body="Your stay starts tomorrow.")
    run_worker()
    sms.refresh_from_db()

    response = client.post(
        STATUS, {"number": str(guest.phone_number), "sid": sms.sid, "status": "delivered"}
    )

    assert response.json() == {"status": 204}
    sms.refresh_from_db()
    assert sms.status == "delivered"


def test_marking_an_sms_sent_to_another_phone_is_refused(client, staff, guest, run_worker):
    sms = queue_sms(to=str(guest.phone_number), body="Not yours.")
    run_worker()
    sms.refresh_from_db()

    response = client.post(STATUS, {"number": PHONE, "sid": sms.sid, "status": "delivered"})

    assert response.status_code == 404


# --- Airtng's own calls ---------------------------------------------------------------------


@pytest.fixture
def ringing(settings, run_worker, make_user, make_property, make_reservation, guest):
    """Gus asked for Haruto's cabin; with no Twilio account the call is recorded, and rings."""
    settings.TWILIO_ACCOUNT_SID = ""
    host = make_user(first_name="Haruto", email="haruto@example.com", phone_number=JAPANESE_NUMBER)
    request = make_reservation(make_property(host), guest)
    run_worker()
    return request


def test_answering_airtngs_call_and_pressing_1_accepts_and_reports_completed(
    client, staff, ringing
):
    answered = client.post(ANSWER, {"number": JAPANESE_NUMBER}).json()
    decided = move(client, answered["id"], "press", key="1").json()

    assert screen(answered)[0].startswith("Hello Haruto, this is Airtng.")
    assert screen(decided)[1].startswith("You have successfully confirmed the reservation.")
    assert decided["reported"] == "completed"
    ringing.refresh_from_db()
    assert ringing.status == Reservation.Status.CONFIRMED
    assert Call.objects.get().status == "completed"


def test_with_nothing_ringing_answer_says_so(client, staff):
    response = client.post(ANSWER, {"number": JAPANESE_NUMBER})

    assert response.status_code == 409
    assert response.json() == {"error": "No call from Airtng is ringing on this phone."}


def test_saying_busy_is_reported_and_the_call_is_placed_again_later(client, staff, ringing):
    response = client.post(REFUSE, {"number": JAPANESE_NUMBER, "status": "busy"})

    assert response.json() == {"reported": "busy"}
    call = Call.objects.get()
    assert (call.status, call.next_attempt_at is not None) == ("pending", True)


# --- Who may use them -------------------------------------------------------------------------

MOVES = [START, SEND, ANSWER, REFUSE, STATUS, "/phone/call/CA1/press"]


@pytest.mark.parametrize("url", MOVES)
def test_anonymous_visitors_and_guests_are_refused(client, guest, url):
    assert client.post(url, {"number": PHONE}).status_code == 403
    client.force_login(guest)
    assert client.post(url, {"number": PHONE}).status_code == 403


@pytest.mark.parametrize("url", MOVES)
def test_staff_without_the_simulators_permission_are_refused(client, make_user, url):
    client.force_login(make_user(is_staff=True))

    assert client.post(url, {"number": PHONE}).status_code == 403


def test_staff_who_may_not_see_calls_cannot_answer_them(client, make_user, ringing):
    client.force_login(grant(make_user(is_staff=True), "simulator.use_simulator"))

    assert client.post(ANSWER, {"number": JAPANESE_NUMBER}).status_code == 403
    assert client.post(REFUSE, {"number": JAPANESE_NUMBER, "status": "busy"}).status_code == 403
    assert client.post(STATUS, {"number": JAPANESE_NUMBER}).status_code == 403
    assert start(client).status_code == 200


def test_anyone_calls_in_the_embedded_run(client, settings):
    settings.DEBUG = True
    settings.TWILIO_AUTH_TOKEN = ""

    assert start(client).status_code == 200


def test_a_call_to_airtng_that_ends_is_reported_completed_as_the_numbers_status_callback_would(
    client, staff
):
    # Airtng's number sends "Call status changes" to /voice/status (README): the call log
    # learns there that a call the phone made has ended, and how long it took.
    call = start(client).json()
    move(client, call["id"], "press", key="2")
    ended = move(client, call["id"], "press", key="3").json()

    assert ended["ended"] and ended["reported"] == "completed"
    logged = Call.objects.get(sid=call["id"])
    assert (logged.direction, logged.from_number, logged.status) == ("in", PHONE, "completed")
    assert logged.duration > 0


def test_a_call_hung_up_is_reported_completed(client, staff):
    call = start(client, path="/ivr/welcome").json()
    assert call["waiting"]

    hung_up = move(client, call["id"], "hang-up").json()

    assert hung_up["reported"] == "completed"
    assert Call.objects.get(sid=call["id"]).status == "completed"
