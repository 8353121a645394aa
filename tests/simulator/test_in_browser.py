"""The simulator's phone in a real browser: it plays TwiML as a phone would, and reports
delivery. A staff member with the simulator's permissions uses it."""

import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from airtng.messaging.services import queue_sms
from reservations.models import Reservation
from tests.conftest import SIMULATOR_PERMISSIONS, grant

pytestmark = pytest.mark.browser
# How long an expectation waits for the live server's answer: generous, for a loaded machine.
SERVER_ANSWER_TIMEOUT_MS = 30_000


@pytest.fixture
def phone(page, twilio, settings, make_user, live_server):
    """The simulator, as the phone `number`: phone(number) opens it."""
    settings.PUBLIC_BASE_URL = ""
    staff = grant(make_user(first_name="Stella", is_staff=True), *SIMULATOR_PERMISSIONS)
    client = Client()
    client.force_login(staff)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )

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


def test_an_unanswered_menu_times_out_and_the_call_follows_the_twiml(
    phone, page, host, guest, listing, make_reservation
):
    make_reservation(listing, guest)
    page.clock.install()
    phone(str(host.phone_number))
    keypad = page.locator("#keypad").get_by_role("button", name="1", exact=True)

    asked = page.locator("#screen .prompt", has_text="Press a key")

    page.get_by_role("button", name="Call Airtng").click()
    # Each step waits for the server's TwiML, slow on a loaded machine, before the page's
    # (fake) clock is moved on; waiting longer cannot let a <Gather> time out early.
    expect(asked).to_have_count(1, timeout=SERVER_ANSWER_TIMEOUT_MS)
    page.clock.run_for(5_000)
    expect(keypad).to_be_enabled()  # <Gather timeout="6">: still listening
    page.clock.run_for(1_500)

    # No key: past the <Gather>, to the <Redirect>, which asks once more, then says goodbye.
    expect(call_log(page)).to_have_text(
        ["→ POST /voice", re.compile(r"^→ POST /voice\?state=")], timeout=SERVER_ANSWER_TIMEOUT_MS
    )
    expect(asked).to_have_count(2, timeout=SERVER_ANSWER_TIMEOUT_MS)
    page.clock.run_for(6_500)
    expect(page.locator("#screen p").nth(-2)).to_have_text("Goodbye!")
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

    expect(page.locator("#screen .dial")).to_have_text("Connecting to +17262043675…")
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

    expect(page.locator("#screen .dial")).to_have_text("Connecting to +17262043675…")
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
    expect(bubble.locator("small")).to_have_text("Queued at Twilio")

    bubble.get_by_role("button", name=button).click()

    expect(bubble.locator("small")).to_have_text(label)
    expect(bubble.get_by_role("button")).to_have_count(0)
    sms.refresh_from_db()
    assert (sms.status, sms.error_code) == (status, error_code)


# A voice that speaks until the test says it has finished (or the page cancels it).
FAKE_VOICE = """
window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
window.spoken = [];
Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
  speaking: null,
  speak(utterance) { this.speaking = utterance; window.spoken.push(utterance.text); },
  cancel() { const u = this.speaking; this.speaking = null; u?.onerror?.(); },
  finish() { const u = this.speaking; this.speaking = null; u?.onend?.(); },
}});
"""


@pytest.fixture
def speaking_phone(phone, page, et_phone_home):
    """The simulator with sound on, and a voice the test controls."""
    page.add_init_script(FAKE_VOICE)

    def open_as(number):
        phone(number)
        page.get_by_label("Sound").check()
        return page

    return open_as


def test_the_menu_waits_for_its_prompt_to_be_spoken_before_timing_out(speaking_phone, page):
    page.clock.install()
    speaking_phone("+15555550100")

    page.get_by_role("button", name="Call ET Phone Home").click()
    expect(page.locator("#screen")).to_contain_text("Thanks for calling the E T Phone Home")
    page.clock.run_for(20_000)  # still speaking: a long prompt is no timeout
    expect(page.locator("#keypad button").first).to_be_enabled()
    for _ in range(3):  # <Say loop="3">
        page.evaluate("speechSynthesis.finish()")
    expect(page.locator("#screen .prompt").last).to_have_text("Press a key")
    page.clock.run_for(5_500)  # Twilio's default <Gather timeout="5">

    expect(page.locator("#screen .ended")).to_have_text("Call ended.")
    assert page.evaluate("spoken.length") == 3


def test_a_key_pressed_during_the_prompt_cuts_it_short(speaking_phone, page):
    speaking_phone("+15555550100")

    page.get_by_role("button", name="Call ET Phone Home").click()
    expect(page.locator("#screen")).to_contain_text("Thanks for calling the E T Phone Home")
    press(page, "2")

    expect(call_log(page)).to_have_text(["→ POST /ivr/welcome", "→ POST /ivr/menu Digits=2"])
    expect(page.locator("#screen")).to_contain_text("To call the planet Broh doe As O G")
    assert page.evaluate("spoken")[0].startswith("Thanks for calling")
    assert len(page.evaluate("spoken")) == 2  # one greeting, cut short; then the planets
