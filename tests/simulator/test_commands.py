"""`manage.py sms` and `manage.py call`: a phone on the command line, over the real webhooks."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from airtng.messaging.models import Direction, Message
from reservations.models import Reservation

AT = re.compile(r"^\[\d\d:\d\d\] ")
NOTHING_TO_ANSWER = "Sorry, it looks like you don't have any reservations to respond to."
CONFIRMED = "You have successfully confirmed the reservation."
GREETING = (
    "Thanks for calling the E T Phone Home Service. "
    "Please press 1 for directions. Press 2 for a list of planets to call."
)
PLANET_DIRECTORY = (
    "To call the planet Broh doe As O G, press 2. To call the planet DuhGo bah, press 3. "
    "To call an oober asteroid to your location, press 4. "
    "To go back to the main menu, press the star key."
)
ET_PHONE_HOME_2_THEN_3 = [
    f"Say (x3): {GREETING}",
    "Press: 2",
    f"Say (x3): {PLANET_DIRECTORY}",
    "Press: 3",
    "Dial: +17262043675",
]


@pytest.fixture(autouse=True)
def twilio_signs(twilio, settings):
    """Twilio is configured (it signs with the auth token) and calls us at our own URL."""
    settings.PUBLIC_BASE_URL = ""


def run(*args):
    """What the command prints, without the call's clock in front of each step."""
    return [AT.sub("", line) for line in timed(*args)]


def timed(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def pending_request(make_reservation, listing, guest):
    return make_reservation(listing, guest)


# --- In process, through Django's test client ------------------------------------------------


@pytest.mark.django_db
def test_sms_prints_airtngs_reply(guest):
    assert run("sms", str(guest.phone_number), "accept", "--in-process") == [
        f"Airtng: {NOTHING_TO_ANSWER}"
    ]
    received = Message.objects.get(direction=Direction.INBOUND)
    assert (received.from_number, received.body) == (str(guest.phone_number), "accept")


@pytest.mark.django_db
def test_sms_from_an_unknown_number_gets_the_same_reply():
    assert run("sms", "+15555550100", "accept", "--in-process") == [f"Airtng: {NOTHING_TO_ANSWER}"]


def test_host_accepting_by_sms_confirms_the_request(host, pending_request, run_worker):
    run_worker()  # the SMS asking the host has gone out
    output = run("sms", str(host.phone_number), "accept", "--in-process")

    (reply,) = output
    assert reply.startswith(f"Airtng: {CONFIRMED} ")
    pending_request.refresh_from_db()
    assert pending_request.status == Reservation.Status.CONFIRMED
    to_guest = Message.objects.filter(to=str(pending_request.guest.phone_number)).latest("id")
    assert to_guest.body.startswith(
        "Your recent request to stay at Cabin by the lake was confirmed."
    )


@pytest.mark.django_db
def test_sms_stop_gets_no_reply(guest):
    assert run("sms", str(guest.phone_number), "STOP", "--in-process") == ["(no reply)"]


@pytest.mark.django_db
def test_call_to_et_phone_home_prints_what_the_caller_hears_and_the_dial():
    output = run(
        "call", "+15555550100", "--to", "/ivr/welcome", "--digits", "2", "3", "--in-process"
    )

    assert output == ET_PHONE_HOME_2_THEN_3


@pytest.mark.django_db
def test_a_japanese_phone_calling_et_phone_home_hears_it_in_japanese():
    output = run(
        "call", "+819012345678", "--to", "/ivr/welcome", "--digits", "2", "3", "--in-process"
    )

    assert output[0].startswith("Say (x3): E.T.フォンホーム・サービスにお電話いただき")
    assert output[1:2] == ["Press: 2"]
    assert output[2].startswith("Say (x3): 惑星ブロードアソグに電話するには、2を押してください。")
    assert output[3:] == ["Press: 3", "Dial: +17262043675"]


@pytest.mark.django_db
def test_call_without_keys_hangs_up_after_the_menu():
    output = run("call", "+15555550100", "--to", "/ivr/welcome", "--in-process")

    assert output == [f"Say (x3): {GREETING}", "(no key pressed in 5 s)", "Hang up"]


@pytest.mark.django_db
def test_call_to_a_missing_digit_goes_back_to_the_main_menu():
    output = run(
        "call", "+15555550100", "--to", "/ivr/welcome", "--digits", "2", "9", "--in-process"
    )

    assert output[3:] == [
        "Press: 9",
        "Say: Returning to the main menu",
        f"Say (x3): {GREETING}",
        "(no key pressed in 5 s)",
        "Hang up",
    ]


@pytest.mark.django_db
def test_call_to_the_voice_line_greets_an_unknown_caller():
    assert run("call", "+15555550100", "--in-process") == ["Say: Thanks for calling!", "Hang up"]


@pytest.mark.django_db
def test_call_reports_a_refused_request():
    output = run("call", "+15555550100", "--to", "/ivr/nowhere", "--in-process")

    assert output == ["(error: Airtng answered 404)"]


@pytest.mark.django_db
def test_each_step_is_printed_at_its_time_on_the_call(time_machine):
    """Said three times, the greeting takes 27 s; the menu times out 5 s after its prompt."""
    time_machine.move_to("2026-12-01 10:00:00+00:00", tick=False)

    output = timed("call", "+15555550100", "--to", "/ivr/welcome", "--digits", "2", "--in-process")

    assert [line[:14] for line in output] == [
        "[00:00] Say (x",
        "[00:27] Press:",
        "[00:27] Say (x",
        "[01:20] (no ke",
        "[01:20] Hang u",
    ]


@pytest.mark.django_db
def test_a_number_that_is_not_e164_is_refused():
    with pytest.raises(CommandError, match="is not a phone number in E.164 form"):
        run("call", "2025550101", "--in-process")
    with pytest.raises(CommandError, match="is not a phone number in E.164 form"):
        run("sms", "+1" + "9" * 500, "hi", "--in-process")


@pytest.mark.django_db
def test_a_call_goes_to_a_path_on_airtng():
    with pytest.raises(CommandError, match="--to is a path on Airtng"):
        run("call", "+15555550100", "--to", "ivr/welcome", "--in-process")


@pytest.mark.django_db
def test_keys_other_than_the_keypads_are_refused():
    with pytest.raises(CommandError, match="Keys are 0-9"):
        run("call", "+15555550100", "--digits", "2x", "--in-process")


# --- Over HTTP, against a running server -----------------------------------------------------
# live_server needs committed rows, and the ET Phone Home tree that an earlier transactional
# test's flush may have removed.
LIVE = pytest.mark.django_db(transaction=True)


@LIVE
def test_host_accepts_by_sms_over_http(live_server, host, pending_request, run_worker):
    run_worker()
    output = run("sms", str(host.phone_number), "accept", "--server", live_server.url)

    (reply,) = output
    assert reply.startswith(f"Airtng: {CONFIRMED} ")
    pending_request.refresh_from_db()
    assert pending_request.status == Reservation.Status.CONFIRMED


@LIVE
def test_call_over_http(live_server, et_phone_home):
    output = run(
        "call",
        "+15555550100",
        "--to",
        "/ivr/welcome",
        "--digits",
        "2",
        "3",
        "--server",
        live_server.url,
    )

    assert output == ET_PHONE_HOME_2_THEN_3


@pytest.mark.django_db
def test_in_process_works_with_the_production_settings(settings):
    """A host name ALLOWED_HOSTS lets in, and HTTPS, as the SecurityMiddleware insists."""
    settings.ALLOWED_HOSTS = [".example.org", "airtng.example.com"]
    settings.SECURE_SSL_REDIRECT = True

    assert run("sms", "+15555550100", "hi", "--in-process") == [f"Airtng: {NOTHING_TO_ANSWER}"]
    assert run("call", "+15555550100", "--in-process") == ["Say: Thanks for calling!", "Hang up"]


@pytest.mark.django_db
def test_sms_to_a_server_that_is_not_airtng_fails(twilio_server):
    _, not_airtng = twilio_server

    with pytest.raises(CommandError, match="Airtng answered 401."):
        run("sms", "+15555550100", "hi", "--server", not_airtng.url)


@pytest.mark.django_db
def test_sms_to_no_server_fails_with_a_hint():
    with pytest.raises(CommandError, match="Could not reach http://127.0.0.1:9: "):
        run("sms", "+15555550100", "hi", "--server", "http://127.0.0.1:9")
