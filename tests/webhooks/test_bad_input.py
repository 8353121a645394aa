"""Whatever a signed request carries, the SMS webhooks answer well-formed and change nothing."""

import pytest

from airtng.messaging.models import Direction, Message
from reservations.models import Reservation
from tests.conftest import stay_dates, twiml_root

from .conftest import GENUINE_ANSWER, TWILIO_ROUTES

INCOMING = "/reservations/incoming"
STATUS = "/sms/status"
HOST_NUMBER = "+12015550100"


@pytest.fixture
def pending(twilio, make_user, make_property, make_reservation):
    host = make_user(first_name="Hannah", phone_number=HOST_NUMBER)
    return make_reservation(make_property(host), make_user(first_name="Gus"))


def sms(**fields):
    """An inbound SMS from the host accepting, with `fields` changed (None drops one)."""
    params = {
        "MessageSid": "SM" + "7" * 32,
        "AccountSid": "AC" + "0" * 32,
        "From": HOST_NUMBER,
        "To": "+15005550006",
        "Body": "accept",
        "NumMedia": "0",
    }
    params.update(fields)
    return {name: value for name, value in params.items() if value is not None}


BAD_SMS = {
    "no From": sms(From=None),
    "no Body": sms(Body=None),
    "From 12345": sms(From="12345"),
    "From abc": sms(From="abc"),
    "From +": sms(From="+"),
    "From empty": sms(From=""),
    "From 200 characters": sms(From="+1" + "2" * 198),
    "1,600-character body": sms(Body="a" * 1600),
    "emoji body": sms(Body="👍🏽🏠✅"),
    "NUL bytes in Body": sms(Body="\x00"),
    "NUL bytes around a word": sms(Body="yes\x00no"),
    "NUL bytes in From": sms(From="\x00+1201\x00", Body="maybe"),
    "only NUL bytes in From": sms(From="\x00\x00"),
    "two Body values": sms(Body=["maybe", "later"]),
    "two From values": sms(From=["+12025550999", "abc"]),
    "100 KB body": sms(Body="x" * 100_000),
    "100 KB From": sms(From="+" + "1" * 100_000),
    "control characters": sms(Body="\x01\x07\x1b[31m\x0b"),
    "NUL bytes in MessageSid": sms(MessageSid="SM\x00" + "7" * 31, Body="maybe"),
    "100-character MessageSid": sms(MessageSid="SM" + "7" * 98, Body="maybe"),
}


@pytest.mark.parametrize("params", BAD_SMS.values(), ids=BAD_SMS.keys())
def test_a_bad_sms_gets_well_formed_twiml_and_changes_no_reservation(pending, twilio_post, params):
    response = twilio_post(INCOMING, params)

    twiml_root(response)
    pending.refresh_from_db()
    assert pending.status == Reservation.Status.PENDING


def test_an_sms_without_a_message_sid_is_still_answered(pending, twilio_post):
    root = twiml_root(twilio_post(INCOMING, sms(MessageSid=None, Body="maybe")))

    assert [message.text for message in root.iter("Message")] == [
        f"Reply accept or reject to the request from Gus for Cabin by the lake, "
        f"{stay_dates(pending)}, 2 guests."
    ]


def test_nul_bytes_are_dropped_from_what_is_logged(pending, twilio_post):
    twilio_post(INCOMING, sms(From="+1201555\x000100", Body="may\x00be"))

    logged = Message.objects.get(direction=Direction.INBOUND)
    assert (logged.from_number, logged.body) == (HOST_NUMBER, "maybe")


def test_characters_xml_cannot_carry_are_left_out_of_the_twiml(
    twilio, make_user, make_property, make_reservation, twilio_post
):
    host = make_user(first_name="Hannah", phone_number=HOST_NUMBER)
    listing = make_property(host, title="Cabin\x0c by the lake")
    make_reservation(listing, make_user(first_name="Gus\x01\x1b"))

    root = twiml_root(twilio_post(INCOMING, sms(Body="maybe")))

    (text,) = [message.text for message in root.iter("Message")]
    assert text.startswith("Reply accept or reject to the request from Gus for Cabin by the lake")


BAD_STATUS = [
    pytest.param({"MessageStatus": "delivered"}, id="no MessageSid"),
    pytest.param({"MessageSid": "", "MessageStatus": "delivered"}, id="empty MessageSid"),
    pytest.param({"MessageStatus": "exploded"}, id="unknown status"),
    pytest.param({"MessageStatus": None}, id="no status"),
    pytest.param({"MessageStatus": "failed", "ErrorCode": "abc"}, id="ErrorCode abc"),
    pytest.param({"MessageStatus": "failed", "ErrorCode": "-1"}, id="ErrorCode negative"),
    pytest.param({"MessageStatus": "failed", "ErrorCode": "²"}, id="ErrorCode superscript digit"),
    pytest.param(
        {"MessageStatus": "failed", "ErrorCode": "9" * 30},
        id="ErrorCode too big",
    ),
    pytest.param({"MessageSid": "SM\x00", "MessageStatus": "delivered"}, id="NUL in MessageSid"),
    pytest.param({"MessageStatus": "deliv\x00ered"}, id="NUL in status"),
    pytest.param(
        {"MessageSid": "SM" + "1" * 98, "MessageStatus": "sent"}, id="100-character MessageSid"
    ),
    pytest.param({"MessageStatus": ["delivered", "failed"]}, id="two statuses"),
]


@pytest.fixture
def sent(twilio, make_user):
    return Message.objects.create(
        direction=Direction.OUTBOUND,
        to=str(make_user().phone_number),
        from_number="+15005550006",
        body="Your recent request to stay at Cabin by the lake was confirmed.",
        status="queued",
        sid="SM" + "1" * 32,
    )


@pytest.mark.parametrize("junk", BAD_STATUS)
def test_a_junk_status_callback_is_acknowledged(sent, twilio_post, junk):
    params = {"MessageSid": sent.sid, "AccountSid": "AC" + "0" * 32, **junk}
    params = {name: value for name, value in params.items() if value is not None}

    response = twilio_post(STATUS, params)

    assert response.status_code == 204  # acknowledged, so that Twilio does not retry it


@pytest.mark.parametrize("route", TWILIO_ROUTES)
def test_nul_bytes_in_every_field_never_break_a_webhook(twilio, host, twilio_post, route):
    nul_everywhere = {
        name: f"\x00{value}\x00"
        for name, value in {
            "MessageSid": "SM" + "8" * 32,
            "CallSid": "CA" + "8" * 32,
            "AccountSid": "AC" + "0" * 32,
            "From": str(host.phone_number),
            "To": "+15005550006",
            "Body": "accept",
            "Digits": "1",
            "MessageStatus": "delivered",
            "CallStatus": "ringing",
        }.items()
    }

    response = twilio_post(route, nul_everywhere)

    assert response.status_code == GENUINE_ANSWER[route]
    if response.status_code == 200:
        twiml_root(response)
