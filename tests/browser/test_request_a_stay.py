"""A guest signs up and requests a stay, in a real browser against the live server."""

import re
from urllib.parse import parse_qs, urlsplit

import phonenumbers
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import User
from airtng.messaging.models import Message
from reservations.models import Reservation
from tests.accounts.test_signup import signup_link
from tests.conftest import PASSWORD, days_from_now

pytestmark = pytest.mark.browser


def test_new_guest_signs_up_and_requests_a_stay(page, live_server, host, listing):
    number = phonenumbers.example_number("US")
    assert phonenumbers.is_valid_number(number)
    check_in, check_out = days_from_now(10), days_from_now(13)

    page.goto(reverse("signup"))
    page.get_by_label("First name").fill("Gus")
    page.get_by_label("Email address").fill("Gus@Example.com")
    page.locator("[name=password1]").fill(PASSWORD)
    page.locator("[name=password2]").fill(PASSWORD)
    page.locator("select[name=phone_number_0]").select_option("US")
    page.locator("[name=phone_number_1]").fill(phonenumbers.national_significant_number(number))
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page.goto(signup_link("gus@example.com"))
    page.get_by_role("button", name="Finish signing up").click()

    expect(page).to_have_url(live_server.url + reverse("verify_phone"))
    expect(page.get_by_role("status").first).to_have_text("Welcome to Airtng, Gus!")
    # The code texted to the phone, from the SMS log (test_whole_product reads it in the
    # phone simulator instead).
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    sms = Message.objects.filter(to=e164).latest("id").body
    code = re.fullmatch(r"Your Airtng code is (\d{6})\. It expires in 10 minutes\.", sms)[1]
    page.get_by_label("Code from the SMS").fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_have_text("Your phone number is verified.")

    page.goto(reverse("home"))
    page.get_by_role("link", name=listing.title).click()
    expect(page).to_have_url(live_server.url + listing.get_absolute_url())
    page.get_by_label("Check-in").fill(check_in.isoformat())
    page.get_by_label("Check-out").fill(check_out.isoformat())
    page.get_by_label("Guests").fill("2")
    page.get_by_label("Message to the host").fill("Two of us, arriving Friday evening.")
    page.get_by_role("button", name="Request to book").click()

    expect(page).to_have_url(live_server.url + reverse("my_trips"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My trips")
    expect(page.get_by_role("status")).to_have_text("Your request was sent to Hannah.")
    trip = page.locator("ul.reservations > li")
    expect(trip).to_have_count(1)
    expect(trip.get_by_role("link", name=listing.title)).to_be_visible()
    expect(trip.locator(".status")).to_have_text("Pending")
    trip.get_by_role("link", name="Timeline").click()
    expect(page.locator(".timeline .event").first).to_contain_text("Requested by Gus")

    guest = User.objects.get(email="gus@example.com")
    assert guest.phone_number == number
    reservation = Reservation.objects.get()
    assert reservation.guest == guest
    assert reservation.property == listing
    assert (reservation.check_in, reservation.check_out) == (check_in, check_out)
    assert reservation.guests == 2
    assert reservation.message == "Two of us, arriving Friday evening."
    assert reservation.status == Reservation.Status.PENDING


def test_anonymous_visitor_logs_in_and_comes_back_to_the_property(
    page, live_server, listing, guest
):
    page.goto(listing.get_absolute_url())
    expect(page.get_by_role("button", name="Request to book")).to_have_count(0)
    page.get_by_role("link", name="Log in to request a stay").click()

    expect(page).to_have_url(re.compile(re.escape(live_server.url + reverse("login")) + r"\?"))
    assert parse_qs(urlsplit(page.url).query) == {"next": [listing.get_absolute_url() + "#request"]}
    page.get_by_label("Email address").fill(guest.email)
    page.locator("[name=password]").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()

    expect(page).to_have_url(live_server.url + listing.get_absolute_url() + "#request")
    expect(page.get_by_role("heading", level=1)).to_have_text(listing.title)
    expect(page.get_by_role("button", name="Request to book")).to_be_visible()
