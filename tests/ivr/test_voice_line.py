"""A call to Airtng's number: callers are greeted; a host answers their request by keypad.

The host's calls here carry the network's A-attestation (StirVerstat), the proof that the
caller owns the number; tests/ivr/test_caller_proof.py calls without it."""

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test import Client
from twilio.request_validator import RequestValidator

from airtng.messaging.models import Direction, Message, OptOut
from ivr.models import CallDecision
from reservations.models import Reservation
from tests.conftest import days_from_now, stay_dates, twiml_root

VOICE, DECISION = "/voice", "/voice/decision"
AIRTNG = "+15005550006"
STRANGER = "+12025550199"
CALL_SID = "CA" + "1" * 32
Status = Reservation.Status


def call_from(number, **fields):
    """What Twilio sends about an inbound call from `number` (None drops a field)."""
    params = {
        "CallSid": CALL_SID,
        "AccountSid": "AC" + "0" * 32,
        "From": None if number is None else str(number),
        "To": AIRTNG,
        "CallStatus": "in-progress",
        "Direction": "inbound",
        **fields,
    }
    return {name: value for name, value in params.items() if value is not None}


def attested_call(number, **fields):
    """A call whose carrier vouches the caller owns `number` (STIR/SHAKEN A-attestation)."""
    return call_from(number, StirVerstat="TN-Validation-Passed-A", **fields)


def said(root, path="./Say"):
    return [say.text for say in root.findall(path)]


def spoken_date(day):
    return f"{day:%B} {day.day}"


def the_request(reservation):
    return (
        f"Gus asks to stay at Cabin by the lake from {spoken_date(reservation.check_in)} "
        f"to {spoken_date(reservation.check_out)}, 2 guests. Press 1 to accept, or 2 to reject."
    )


def sms_sent(twilio):
    return [(message["To"], message["Body"]) for message in twilio.sent]


def texts_queued_to(user):
    return Message.objects.filter(direction=Direction.OUTBOUND, to=str(user.phone_number))


@pytest.fixture
def pending(listing, guest, make_reservation):
    """Gus's request to Hannah, who has been offered it by SMS (post_save)."""
    return make_reservation(listing, guest)


@pytest.fixture
def offer_sent(twilio, run_worker, pending):
    """The SMS offering Gus's request has gone out; twilio.sent starts empty after it."""
    run_worker()
    twilio.reset()


@pytest.fixture
def offered(call_webhook, host):
    """The host calls (call `call_sid`); the action URL of the choice they are offered."""

    def offered(call_sid=CALL_SID):
        root = twiml_root(call_webhook(VOICE, attested_call(host.phone_number, CallSid=call_sid)))
        return root.find("./Gather").attrib["action"]

    return offered


@pytest.fixture
def press(call_webhook, host, offered):
    """In call `call_sid`, `caller` (the host) presses `digits` (None: nothing) at the
    choice the call offered (`action`, else the host's oldest request, offered now)."""

    def press(digits, *, call_sid=CALL_SID, caller=None, action=None):
        action = action or offered(call_sid)
        fields = {"CallSid": call_sid}
        if digits is not None:
            fields["Digits"] = digits
        return call_webhook(action, call_from(caller or host.phone_number, **fields))

    return press


@pytest.mark.parametrize(
    "caller",
    [STRANGER, "", "abc", "12345", None],
    ids=["stranger", "empty", "abc", "short", "none"],
)
def test_an_unknown_caller_is_thanked_for_calling(db, call_webhook, caller):
    root = twiml_root(call_webhook(VOICE, call_from(caller)))

    assert [child.tag for child in root] == ["Say"]
    assert said(root) == ["Thanks for calling!"]


def test_an_unverified_users_number_is_an_unknown_caller(call_webhook, make_user):
    user = make_user(first_name="Una", phone_verified=False)

    root = twiml_root(call_webhook(VOICE, call_from(user.phone_number)))

    assert said(root) == ["Thanks for calling!"]


def test_a_user_is_greeted_by_first_name(call_webhook, guest):
    root = twiml_root(call_webhook(VOICE, call_from(guest.phone_number)))

    assert [child.tag for child in root] == ["Say"]
    assert said(root) == ["Thanks for calling, Gus!"]


def test_a_host_without_a_request_is_only_greeted(call_webhook, host, listing):
    root = twiml_root(call_webhook(VOICE, attested_call(host.phone_number)))

    assert said(root) == ["Thanks for calling, Hannah!"]
    assert root.findall("./Gather") == []


def test_a_host_hears_their_request_and_may_press_1_or_2(call_webhook, host, pending):
    root = twiml_root(call_webhook(VOICE, attested_call(host.phone_number)))

    assert [child.tag for child in root] == ["Gather", "Redirect"]
    gather = root.find("./Gather")
    assert gather.attrib["numDigits"] == "1"
    assert gather.attrib["action"].startswith(f"{DECISION}?state=")
    assert gather.attrib["method"] == "POST"
    assert said(root, "./Gather/Say") == [f"Thanks for calling, Hannah! {the_request(pending)}"]


def test_silence_repeats_the_request_once(call_webhook, host, pending):
    root = twiml_root(call_webhook(VOICE, attested_call(host.phone_number)))

    [redirect] = root.findall("./Redirect")
    assert redirect.text.startswith(f"{VOICE}?state=")
    assert redirect.attrib == {"method": "POST"}


def test_silence_after_the_repeat_says_goodbye(call_webhook, host, pending):
    first = twiml_root(call_webhook(VOICE, attested_call(host.phone_number)))
    repeat = first.find("./Redirect").text

    # Twilio does not send StirVerstat again: the signed URL remembers the proof.
    root = twiml_root(call_webhook(repeat, call_from(host.phone_number)))

    assert [child.tag for child in root] == ["Gather", "Say", "Hangup"]
    assert said(root, "./Gather/Say") == [f"Thanks for calling, Hannah! {the_request(pending)}"]
    assert said(root) == ["Goodbye!"]


def test_pressing_1_confirms_texts_the_guest_and_offers_the_next_request(
    twilio, run_worker, offer_sent, press, host, guest, pending, make_user, make_reservation
):
    later = make_reservation(
        pending.property,
        make_user(first_name="Lou"),
        check_in=days_from_now(20),
        check_out=days_from_now(22),
        guests=1,
        message="Quiet please.",
    )

    root = twiml_root(press("1"))
    run_worker()

    assert said(root) == [
        "You have successfully confirmed the reservation. "
        f"Gus will stay at Cabin by the lake, {stay_dates(pending)}, 2 guests.",
        "Goodbye!",
    ]
    assert [child.tag for child in root] == ["Say", "Say", "Hangup"]
    pending.refresh_from_db()
    assert (pending.status, pending.decided_via) == (Status.CONFIRMED, "phone")
    lou = str(later.guest.phone_number)
    assert [body[:23] for to, body in sms_sent(twilio) if to == lou] == ["Your request to stay at"]
    assert [sms for sms in sms_sent(twilio) if sms[0] != lou] == [
        (
            str(guest.phone_number),
            "Your recent request to stay at Cabin by the lake was confirmed. "
            f"{stay_dates(pending)}, 2 guests. "
            "Hannah expects you; your trip is under My trips on Airtng.",
        ),
        (
            str(host.phone_number),
            "You have a new reservation request from Lou for Cabin by the lake, "
            f"{stay_dates(later)}, 1 guest:\n"
            '"Quiet please."\n'
            "Reply accept or reject.",
        ),
    ]


def test_pressing_2_rejects_and_texts_the_guest(
    twilio, run_worker, offer_sent, press, guest, pending
):
    root = twiml_root(press("2"))
    run_worker()

    assert said(root) == [
        "You have successfully rejected the reservation. "
        f"Gus will be told that Cabin by the lake is not free {stay_dates(pending)}.",
        "Goodbye!",
    ]
    pending.refresh_from_db()
    assert (pending.status, pending.decided_via) == (Status.REJECTED, "phone")
    assert sms_sent(twilio) == [
        (
            str(guest.phone_number),
            "Your recent request to stay at Cabin by the lake was rejected. "
            f"{stay_dates(pending)}, 2 guests. "
            "Nothing was booked: you can request another place on Airtng.",
        )
    ]


WRONG_KEYS = {
    **{key: key for key in "0345789*#"},
    "12": "12",
    "abc": "abc",
    "emoji": "🙂",
    "1000 ones": "1" * 1000,
    "empty": "",
    "no Digits": None,
}


@pytest.mark.parametrize("digits", WRONG_KEYS.values(), ids=WRONG_KEYS.keys())
def test_a_wrong_key_repeats_the_choice_and_changes_nothing(press, host, guest, pending, digits):
    texts_to_host = texts_queued_to(host).count()
    texts_to_guest = texts_queued_to(guest).count()

    root = twiml_root(press(digits))

    assert [child.tag for child in root] == ["Say", "Gather", "Say", "Hangup"]
    assert said(root) == ["Sorry, that is not one of the choices.", "Goodbye!"]
    gather = root.find("./Gather")
    assert gather.attrib["numDigits"] == "1"
    assert gather.attrib["action"].startswith(f"{DECISION}?state=")
    assert said(root, "./Gather/Say") == [the_request(pending)]
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert not CallDecision.objects.exists()
    assert texts_queued_to(guest).count() == texts_to_guest
    assert texts_queued_to(host).count() == texts_to_host


def test_a_wrong_key_then_1_confirms(press, pending):
    again = twiml_root(press("3")).find("./Gather").attrib["action"]

    root = twiml_root(press("1", action=again))

    assert said(root)[0].startswith("You have successfully confirmed the reservation. Gus ")
    pending.refresh_from_db()
    assert pending.status == Status.CONFIRMED


def test_a_wrong_key_after_the_request_was_decided_offers_no_choice(offered, press, pending):
    other_call = "CA" + "2" * 32
    action = offered(other_call)
    press("1")

    root = twiml_root(press("3", call_sid=other_call, action=action))

    assert said(root) == ["This request was already decided.", "Goodbye!"]
    assert root.findall("./Gather") == []


@pytest.mark.parametrize("again", ["1", "2", "3", None])
def test_a_repeated_post_of_the_same_call_is_answered_the_same_and_decides_once(
    twilio, run_worker, offer_sent, offered, press, guest, pending, again
):
    action = offered()
    first = press("1", action=action)
    repeated = press(again, action=action)
    run_worker()

    assert repeated.content == first.content
    pending.refresh_from_db()
    assert pending.status == Status.CONFIRMED
    assert [to for to, _ in sms_sent(twilio)] == [str(guest.phone_number)]
    assert CallDecision.objects.count() == 1


def test_another_call_after_the_decision_hears_it_was_already_decided(offered, press, pending):
    other_call = "CA" + "2" * 32
    action = offered(other_call)
    press("1")

    root = twiml_root(press("2", call_sid=other_call, action=action))

    assert said(root) == ["This request was already decided.", "Goodbye!"]
    pending.refresh_from_db()
    assert pending.status == Status.CONFIRMED


def test_another_hosts_number_cannot_decide_the_request(
    press, pending, guest, make_user, make_property, make_reservation
):
    other_host = make_user(first_name="Otto")
    make_reservation(make_property(other_host, title="Otto's loft"), guest)

    root = twiml_root(press("1", caller=other_host.phone_number))

    assert said(root) == ["Sorry, it looks like you don't have any reservations to respond to."]
    assert [child.tag for child in root] == ["Say", "Hangup"]
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


@pytest.mark.parametrize("caller", [STRANGER, "abc", None], ids=["stranger", "abc", "none"])
def test_an_unknown_caller_cannot_decide_the_request(call_webhook, offered, pending, caller):
    response = call_webhook(offered(), call_from(caller, Digits="1"))
    root = twiml_root(response)

    assert said(root) == ["Sorry, it looks like you don't have any reservations to respond to."]
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def forged(action):
    """The action's signed state with its payload changed by one character."""
    state = action.split("state=", 1)[1]
    return action.replace(state, ("A" if state[0] != "A" else "B") + state[1:])


STRANGE_STATES = {
    "no state": lambda action: DECISION,
    "empty": lambda action: f"{DECISION}?state=",
    "abc": lambda action: f"{DECISION}?state=abc",
    "5000 nines": lambda action: f"{DECISION}?{urlencode({'state': '9' * 5000})}",
    "forged": forged,
    "old-style id": lambda action: f"{DECISION}?reservation=1",
}


@pytest.mark.parametrize("make_path", STRANGE_STATES.values(), ids=STRANGE_STATES.keys())
def test_a_missing_or_forged_state_decides_nothing(call_webhook, offered, host, pending, make_path):
    path = make_path(offered())

    response = call_webhook(path, call_from(host.phone_number, Digits="1"))

    assert said(twiml_root(response)) == [
        "Sorry, it looks like you don't have any reservations to respond to."
    ]
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_a_state_signed_for_another_call_decides_nothing(call_webhook, offered, host, pending):
    action = offered("CA" + "3" * 32)

    response = call_webhook(action, call_from(host.phone_number, Digits="1", CallSid=CALL_SID))

    assert said(twiml_root(response))[0].startswith("Sorry")
    pending.refresh_from_db()
    assert pending.status == Status.PENDING


def test_a_call_decides_only_the_request_it_offered(
    call_webhook, offered, host, guest, pending, make_property, make_reservation
):
    action = offered()
    other = make_reservation(make_property(host, title="Loft"), guest)
    pending.status = Status.CANCELLED
    pending.save()

    root = twiml_root(call_webhook(action, call_from(host.phone_number, Digits="1")))

    assert said(root) == [
        f"Gus has cancelled their request to stay at Cabin by the lake, {stay_dates(pending)}, "
        "so there is nothing to answer.",
        "Goodbye!",
    ]
    other.refresh_from_db()
    assert other.status == Status.PENDING


@pytest.mark.parametrize("path", [VOICE, DECISION])
def test_an_unsigned_call_is_refused(db, client, path):
    assert client.get(path, call_from(STRANGER)).status_code == 403
    assert client.post(path, call_from(STRANGER)).status_code == 403


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serializes writers")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_of_one_call_decide_once(
    settings, host, guest, listing, make_reservation
):
    reservation = make_reservation(listing, guest)
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    greeting = attested_call(host.phone_number)
    signature = validator.compute_signature(f"http://testserver{VOICE}", greeting)
    answer = Client().post(VOICE, greeting, headers={"X-Twilio-Signature": signature})
    path = ElementTree.fromstring(answer.content).find("./Gather").attrib["action"]
    start = threading.Event()

    def post(digits):
        params = call_from(host.phone_number, Digits=digits)
        signature = validator.compute_signature(f"http://testserver{path}", params)
        start.wait()
        try:
            return Client().post(path, params, headers={"X-Twilio-Signature": signature})
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(post, digits) for digits in "12" * 10]
        start.set()
        answers = {future.result().content for future in futures}

    assert len(answers) == 1
    reservation.refresh_from_db()
    assert reservation.status in (Status.CONFIRMED, Status.REJECTED)
    assert texts_queued_to(guest).count() == 2  # the request was sent; its outcome


def test_a_host_who_opted_out_of_sms_still_hears_their_request(
    host, guest, listing, make_reservation, twilio_post
):
    OptOut.objects.create(phone_number=str(host.phone_number))
    reservation = make_reservation(listing, guest)

    response = twilio_post("/voice", attested_call(host.phone_number))

    gather = ElementTree.fromstring(response.content).find("./Gather")
    assert gather is not None
    assert gather.get("action").startswith(f"{DECISION}?state=")
    assert said(gather) == [f"Thanks for calling, Hannah! {the_request(reservation)}"]
