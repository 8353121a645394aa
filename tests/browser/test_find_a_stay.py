"""A guest finds a free place by place, dates and guests, sees the total and requests it."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reservations.models import Reservation
from tests.conftest import PASSWORD, days_from_now

pytestmark = pytest.mark.browser


def test_guest_searches_opens_a_result_sees_the_total_and_requests_the_stay(
    page, live_server, host, guest, make_property, make_reservation
):
    machiya = make_property(host, title="Machiya townhouse", location="Kyōto, Japan")
    booked = make_property(host, title="Booked ryokan", location="Kyoto, Japan")
    make_property(host, title="Tiny room", location="Kyoto, Japan", max_guests=1)
    make_property(host, title="Cabin by the lake", location="Lake Placid, NY")
    check_in, check_out = days_from_now(10), days_from_now(13)
    make_reservation(
        booked, guest, check_in=days_from_now(11), check_out=days_from_now(12), status="confirmed"
    )

    page.goto(reverse("login"))
    page.get_by_label("Email address").fill(guest.email)
    page.locator("[name=password]").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()

    page.goto(reverse("home"))
    search = page.get_by_role("search", name="Find a stay")
    search.get_by_label("Where").fill("ＫＹＯＴＯ")
    search.get_by_label("Check-in").fill(check_in.isoformat())
    search.get_by_label("Check-out").fill(check_out.isoformat())
    search.get_by_label("Guests").fill("2")
    search.get_by_role("button", name="Search").click()

    results = page.locator("article.listing")
    expect(results).to_have_count(1)
    expect(results.get_by_role("heading")).to_have_text("Machiya townhouse")
    expect(search.get_by_label("Where")).to_have_value("ＫＹＯＴＯ")
    searched = page.url

    results.get_by_role("link", name="Machiya townhouse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Machiya townhouse")
    expect(page.locator(".quote .total")).to_have_text("3 nights × $120.00 = $360.00")
    expect(page.locator(".calendar caption").first).to_be_visible()
    expect(page.locator(".calendar table")).to_have_count(3)

    page.go_back()
    expect(page).to_have_url(searched)
    expect(page.locator("article.listing")).to_have_count(1)
    page.go_forward()

    expect(page.get_by_label("Check-in")).to_have_value(check_in.isoformat())
    expect(page.get_by_label("Check-out")).to_have_value(check_out.isoformat())
    expect(page.get_by_label("Guests")).to_have_value("2")
    page.get_by_label("Message to the host").fill("Two of us, for the temples.")
    page.get_by_role("button", name="Request to book").click()

    expect(page).to_have_url(live_server.url + reverse("my_trips"))
    expect(page.get_by_role("status")).to_have_text("Your request was sent to Hannah.")
    reservation = Reservation.objects.get(property=machiya)
    assert (reservation.check_in, reservation.check_out) == (check_in, check_out)
    assert reservation.guests == 2
    assert reservation.status == Reservation.Status.PENDING
