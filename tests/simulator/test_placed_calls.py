"""With no Twilio account, a call Airtng places is only recorded, and the simulator's phone
rings with it: `manage.py call --answer` and /phone/calls answer it over the real webhooks."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from ivr.models import Call
from reservations.models import Reservation
from tests.conftest import grant

JAPANESE_NUMBER = "+819012345678"


@pytest.fixture
def host_in_japan(make_user):
    return make_user(first_name="Haruto", email="haruto@example.com", phone_number=JAPANESE_NUMBER)


@pytest.fixture
def ringing(run_worker, host_in_japan, make_property, make_reservation, guest):
    """Gus asked for Haruto's cabin; Airtng's call to Haruto is recorded, and rings."""
    request = make_reservation(make_property(host_in_japan), guest)
    run_worker()
    return request


def run(*args):
    """What the command prints, without the call's clock in front of each step."""
    out = StringIO()
    call_command(*args, stdout=out)
    return [re.sub(r"^\[\d\d:\d\d\] ", "", line) for line in out.getvalue().splitlines()]


def test_the_host_answers_airtngs_call_and_accepts_with_1(ringing):
    heard = run("call", JAPANESE_NUMBER, "--answer", "--digits", "1", "--in-process")

    assert heard[0].startswith("Airtng is calling (CA")
    assert heard[1].startswith("Say: Hello Haruto, this is Airtng. Gus asks to stay at")
    assert heard[2] == "Press: 1"
    assert heard[3].startswith("Say: You have successfully confirmed the reservation.")
    ringing.refresh_from_db()
    assert ringing.status == Reservation.Status.CONFIRMED
    assert Call.objects.get().status == "completed"


def test_with_no_call_ringing_answer_says_so(db):
    assert run("call", JAPANESE_NUMBER, "--answer", "--in-process") == [
        "(no call from Airtng is ringing)"
    ]


def test_the_phone_page_lists_the_ringing_call(client, make_user, ringing):
    staff = grant(
        make_user(is_staff=True),
        "simulator.use_simulator",
        "messaging.view_message",
        "ivr.view_call",
    )
    client.force_login(staff)
    call = Call.objects.get()

    listed = client.get("/phone/calls", {"number": JAPANESE_NUMBER}).json()
    nobody = client.get("/phone/calls", {"number": "+12015550100"}).json()

    assert listed == {
        "number": JAPANESE_NUMBER,
        "calls": [
            {
                "id": call.pk,
                "sid": call.sid,
                "status": "queued",
                "status_url": f"/voice/status?call={call.pk}&attempt=1",
            }
        ],
    }
    assert nobody == {"number": "+12015550100", "calls": []}


def test_staff_without_the_call_log_see_no_calls(client, make_user, ringing, settings):
    settings.TWILIO_AUTH_TOKEN = "a-real-account"  # not the embedded run
    staff = grant(make_user(is_staff=True), "simulator.use_simulator")
    client.force_login(staff)

    assert client.get("/phone/calls", {"number": JAPANESE_NUMBER}).status_code == 403
