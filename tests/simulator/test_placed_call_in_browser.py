"""With no Twilio account, the simulator's phone rings when Airtng calls a host: it is
answered, reads the request, and 1 accepts it; the guest is texted."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ivr.models import Call
from reservations.models import Reservation
from tests.browser.conftest import sign_in
from tests.conftest import SIMULATOR_PERMISSIONS, grant

pytestmark = pytest.mark.browser
SERVER_ANSWER_TIMEOUT_MS = 30_000
JAPANESE_NUMBER = "+819012345678"


@pytest.fixture
def phone(page, settings, make_user, live_server):
    """The simulator as the phone `number`, for staff; no Twilio account: calls are recorded."""
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


def test_airtngs_call_rings_is_answered_and_1_accepts(
    phone, run_worker, make_user, make_property, make_reservation, guest
):
    host = make_user(first_name="Haruto", phone_number=JAPANESE_NUMBER)
    request = make_reservation(make_property(host), guest)
    run_worker()  # the SMS with the link, and the call, are recorded
    page = phone(JAPANESE_NUMBER)

    expect(page.locator("#thread")).to_contain_text("Accept or reject it here: /d/")
    expect(page.locator("#incoming")).to_be_visible(timeout=SERVER_ANSWER_TIMEOUT_MS)
    expect(page.locator("#incoming-text")).to_have_text(f"Airtng is calling {JAPANESE_NUMBER}…")
    page.get_by_role("button", name="Answer").click()
    expect(page.locator("#screen")).to_contain_text(
        "Hello Haruto, this is Airtng. Gus asks to stay at Cabin by the lake",
        timeout=SERVER_ANSWER_TIMEOUT_MS,
    )
    press(page, "1")

    expect(page.locator("#screen")).to_contain_text(
        "You have successfully confirmed the reservation.", timeout=SERVER_ANSWER_TIMEOUT_MS
    )
    expect(page.locator("#screen .ended")).to_have_text("Call ended.")
    expect(page.locator("#screen")).to_have_attribute("data-reported", "completed")
    expect(page.locator("#incoming")).to_be_hidden()
    request.refresh_from_db()
    assert (request.status, request.decided_via) == (Reservation.Status.CONFIRMED, "phone")
    run_worker()
    page.locator("#phone-user").select_option(value=str(guest.phone_number))
    expect(page.locator("#thread")).to_contain_text(
        "Your recent request to stay at Cabin by the lake was confirmed.",
        timeout=SERVER_ANSWER_TIMEOUT_MS,
    )
    assert Call.objects.get().status == "completed"


def test_a_call_let_ring_is_placed_again_later(
    phone, run_worker, make_user, make_property, make_reservation, guest
):
    host = make_user(first_name="Haruto", phone_number=JAPANESE_NUMBER)
    make_reservation(make_property(host), guest)
    run_worker()
    page = phone(JAPANESE_NUMBER)

    expect(page.locator("#incoming")).to_be_visible(timeout=SERVER_ANSWER_TIMEOUT_MS)
    page.get_by_role("button", name="Let it ring").click()

    expect(page.locator("#incoming")).to_be_hidden()
    expect(page.locator("#screen .ended")).to_have_text(
        "You let Airtng's call ring out.", timeout=SERVER_ANSWER_TIMEOUT_MS
    )
    call = Call.objects.get()
    assert (call.status, call.attempts) == ("pending", 1)
    assert call.next_attempt_at is not None


def test_the_link_in_the_sms_opens_and_accepts_with_one_confirmed_tap(
    phone, run_worker, make_user, make_property, make_reservation, guest
):
    host = make_user(first_name="Haruto", phone_number=JAPANESE_NUMBER)
    request = make_reservation(make_property(host), guest, message="Two quiet birdwatchers.")
    run_worker()
    page = phone(JAPANESE_NUMBER)

    link = page.locator("#thread a", has_text="/d/")
    with page.context.expect_page() as opened:
        link.click()
    decision = opened.value
    expect(decision.locator("h1")).to_have_text("Gus → Cabin by the lake")
    expect(decision.locator(".guest-message")).to_have_text("Two quiet birdwatchers.")
    decision.get_by_role("button", name="Accept").click()
    expect(decision.locator(".decision-question")).to_have_text(
        "Accept the request from Gus? They will be told at once."
    )
    decision.get_by_role("button", name="Yes, accept").click()

    expect(decision.locator(".decision-outcome")).to_contain_text(
        "You have successfully confirmed the reservation."
    )
    request.refresh_from_db()
    assert request.status == Reservation.Status.CONFIRMED
    decision.goto(link.get_attribute("href"))  # the same link, again
    expect(decision.locator(".decision-outcome")).to_have_text("This request was already decided.")
