"""The simulator's phone in a real browser: it plays TwiML as a phone would, and reports
delivery. A staff member with the simulator's permissions uses it."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from airtng.messaging.services import queue_sms
from reservations.models import Reservation
from tests.browser.conftest import sign_in
from tests.conftest import SIMULATOR_PERMISSIONS, grant

pytestmark = pytest.mark.browser
# How long an expectation waits for the live server's answer: generous, for a loaded machine.
SERVER_ANSWER_TIMEOUT_MS = 30_000


@pytest.fixture
def phone(page, twilio, settings, make_user, live_server):
    """The simulator, as the phone `number`: phone(number) opens it."""
    settings.PUBLIC_BASE_URL = ""
    staff = grant(make_user(first_name="Stella", is_staff=True), *SIMULATOR_PERMISSIONS)
    sign_in(page, staff, live_server.url)

    def open_as(number):
        page.goto(f"{reverse('simulator')}?{urlencode({'number': number})}")
        expect(page.locator("#current-phone")).to_have_text(number)
        return page

    return open_as


def press(page, key):
    page.locator("#keypad").get_by_role("button", name=key, exact=True).click()


def call_log(page):
    return page.locator("#call-log > li > code")


def test_a_host_answers_a_request_by_keypad(phone, host, guest, listing, make_reservation):
    request = make_reservation(listing, guest)
    page = phone(str(host.phone_number))

    page.get_by_role("button", name="Call Airtng").click()
    expect(page.locator("#screen")).to_contain_text(
        "Thanks for calling, Hannah! Gus asks to stay at Cabin by the lake"
    )
    press(page, "1")

    expect(page.locator("#screen")).to_contain_text(
        "You have successfully confirmed the reservation."
    )
    expect(page.locator("#screen .ended")).to_have_text("Call ended.")
    expect(call_log(page)).to_have_text(
        ["→ POST /voice", re.compile(r"^→ POST /voice/decision\?state=\S+ Digits=1$")]
    )
    request.refresh_from_db()
    assert request.status == Reservation.Status.CONFIRMED


def test_an_unanswered_menu_times_out_when_asked_and_the_call_follows_the_twiml(
    phone, page, host, guest, listing, make_reservation
):
    make_reservation(listing, guest)
    phone(str(host.phone_number))
    keypad = page.locator("#keypad").get_by_role("button", name="1", exact=True)
    asked = page.locator("#screen .prompt", has_text="Press a key")

    page.get_by_role("button", name="Call Airtng").click()
    expect(asked).to_have_count(1, timeout=SERVER_ANSWER_TIMEOUT_MS)
    expect(page.locator("#waiting")).to_have_text(
        "Listening for keys (finish with #); times out after 6 s."
    )
    expect(keypad).to_be_enabled()  # no time passes on the server until the page says so
    page.get_by_role("button", name="Wait out the timeout").click()

    # No key: past the <Gather>, to the <Redirect>, which asks once more, then says goodbye.
    expect(call_log(page)).to_have_text(
        ["→ POST /voice", re.compile(r"^→ POST /voice\?state=")], timeout=SERVER_ANSWER_TIMEOUT_MS
    )
    expect(page.locator("#screen .say", has_text="No key within 6 s.")).to_have_count(1)
    expect(asked).to_have_count(2, timeout=SERVER_ANSWER_TIMEOUT_MS)
    page.get_by_role("button", name="Wait out the timeout").click()
    expect(page.locator("#screen p").nth(-3)).to_contain_text("Goodbye!")
    expect(page.locator("#screen .ended")).to_have_text("Call ended.")
    expect(keypad).to_be_disabled()
    expect(page.get_by_role("button", name="Hang up")).to_be_disabled()


def test_a_japanese_phone_is_sent_to_et_phone_home_in_japanese(phone, et_phone_home):
    page = phone("+819012345678")

    page.get_by_role("button", name="Call ET Phone Home").click()
    expect(page.locator("#screen")).to_contain_text("E.T.フォンホーム・サービスにお電話いただき")
    press(page, "2")
    expect(page.locator("#screen")).to_contain_text("惑星ブロードアソグに電話するには")
    press(page, "3")

    expect(page.locator("#screen .dial span")).to_have_text("Connecting to +17262043675…")
    expect(call_log(page)).to_have_text(
        [
            "→ POST /ivr/welcome",
            "→ POST /ivr/ja-welcome",
            "→ POST /ivr/ja-menu Digits=2",
            "→ POST /ivr/ja-planets Digits=3",
        ]
    )


def test_hanging_up_ends_the_call(phone, et_phone_home):
    page = phone("+15555550100")

    page.get_by_role("button", name="Call ET Phone Home").click()
    expect(page.locator("#screen")).to_contain_text("Thanks for calling the E T Phone Home")
    page.get_by_role("button", name="Hang up").click()

    expect(page.locator("#screen .ended")).to_have_text("Call ended.")
    expect(page.locator("#keypad button").first).to_be_disabled()
    expect(call_log(page)).to_have_count(1)


def test_calling_again_replaces_the_call(phone, et_phone_home):
    page = phone("+15555550100")
    call = page.get_by_role("button", name="Call ET Phone Home")

    call.click()
    call.click()
    expect(page.locator("#screen")).to_contain_text("Thanks for calling the E T Phone Home")
    press(page, "2")
    expect(page.locator("#screen")).to_contain_text("To call the planet Broh doe As O G")
    press(page, "3")

    expect(page.locator("#screen .dial span")).to_have_text("Connecting to +17262043675…")
    expect(page.locator("#screen .prompt").first).to_have_text("Calling /ivr/welcome…")
    expect(page.locator("#screen .ended")).to_have_count(1)
    expect(call_log(page)).to_have_text(
        ["→ POST /ivr/welcome", "→ POST /ivr/menu Digits=2", "→ POST /ivr/planets Digits=3"]
    )


@pytest.mark.parametrize(
    ("button", "status", "label", "error_code"),
    [
        ("Mark delivered", "delivered", "Delivered", None),
        ("Mark failed", "failed", "Failed", 30008),
    ],
)
def test_marking_an_sms_posts_its_status_callback(
    phone, run_worker, guest, button, status, label, error_code
):
    sms = queue_sms(to=str(guest.phone_number), body="Your stay starts tomorrow.")
    run_worker()  # before the page opens: SQLite must not see this thread write while it reads
    page = phone(str(guest.phone_number))
    bubble = page.locator("#thread li", has_text="Your stay starts tomorrow.")
    expect(bubble.locator("small .status")).to_have_text("Queued at Twilio")
    expect(bubble.locator("small time")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d "))

    bubble.get_by_role("button", name=button).click()

    expect(bubble.locator("small .status")).to_have_text(label)
    expect(bubble.get_by_role("button")).to_have_count(0)
    sms.refresh_from_db()
    assert (sms.status, sms.error_code) == (status, error_code)


def test_a_number_that_is_not_e164_is_refused_with_a_message(phone, page):
    phone("202 555 0101")

    expect(page.locator("#problem")).to_have_text(
        "“202 555 0101” is not a phone number in E.164 form, like +12025550101."
    )
    page.get_by_role("button", name="Call Airtng").click()
    expect(page.locator("#screen .error")).to_contain_text("is not a phone number in E.164 form")


def test_the_phone_shows_its_numbers_opt_out(phone, page, guest):
    page = phone(str(guest.phone_number))
    expect(page.locator("#opt-out")).to_have_text(
        "This number receives Airtng's SMS (text STOP to opt out)."
    )

    page.get_by_label("Message", exact=True).fill("STOP")
    page.get_by_role("button", name="Send").click()

    expect(page.locator("#opt-out")).to_have_text(
        "This number has texted STOP: Airtng sends it no SMS until it texts START.",
        timeout=SERVER_ANSWER_TIMEOUT_MS,
    )
    expect(page.locator("#thread .from-phone time")).to_have_text(
        re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
    )
