"""A host's own calendar: confirmed stays and pending requests, for the host alone."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_a_december_day():
    with time_machine.travel(date(2026, 12, 20), tick=False):
        yield


@pytest.fixture
def booked_and_asked(listing, guest, make_user, make_reservation):
    mei = make_user(first_name="Mei", email="mei@example.com")
    stay = make_reservation(
        listing, guest, check_in=date(2027, 1, 5), check_out=date(2027, 1, 7), status="confirmed"
    )
    request = make_reservation(
        listing, mei, check_in=date(2027, 1, 10), check_out=date(2027, 1, 12), message="Hi!"
    )
    make_reservation(
        listing, mei, check_in=date(2027, 1, 20), check_out=date(2027, 1, 22), status="rejected"
    )
    return stay, request


def test_the_host_sees_booked_and_requested_nights_and_who_asked(
    client, host, listing, booked_and_asked, login
):
    stay, request = booked_and_asked

    response = login(host).get(reverse("host_calendar", args=[listing.pk]))

    assert response.status_code == 200
    text = response.text
    assert '<td class="day booked"><time datetime="2027-01-05">' in text
    assert '<td class="day booked"><time datetime="2027-01-06">' in text
    assert '<td class="day requested"><time datetime="2027-01-10">' in text
    assert '<td class="day requested"><time datetime="2027-01-11">' in text
    assert 'datetime="2027-01-12">12</time></td>' in text
    assert 'datetime="2027-01-20">20</time></td>' in text  # a rejected request takes nothing
    assert reverse("host_request", args=[stay.pk]) in text
    assert reverse("host_request", args=[request.pk]) in text
    assert "Mei" in text
    assert "Requested, waiting for your answer" in text


def test_the_host_finds_the_calendar_from_the_listing(client, host, listing, login):
    response = login(host).get(listing.get_absolute_url())

    assert reverse("host_calendar", args=[listing.pk]) in response.text


def test_guests_never_see_pending_requests(client, guest, listing, booked_and_asked, login):
    response = login(guest).get(listing.get_absolute_url())

    assert 'datetime="2027-01-05">5</time><span class="visually-hidden"> booked' in response.text
    assert "requested" not in response.text
    assert "Mei" not in response.text
    assert reverse("host_calendar", args=[listing.pk]) not in response.text


def test_another_host_or_a_guest_cannot_open_the_hosts_calendar(
    client, make_user, guest, listing, booked_and_asked, login
):
    other_host = make_user(first_name="Ravi", email="ravi@example.com")
    url = reverse("host_calendar", args=[listing.pk])

    for someone in (other_host, guest):
        client.logout()
        assert login(someone).get(url).status_code == 404


def test_a_visitor_is_asked_to_log_in(client, listing):
    response = client.get(reverse("host_calendar", args=[listing.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_hosts_calendar_in_japanese(client, make_user, make_property, login):
    haruto = make_user(first_name="Haruto", email="haruto@example.com", language="ja")
    listing = make_property(haruto, title="京都の町家")

    response = login(haruto).get(reverse("host_calendar", args=[listing.pk]))

    assert "京都の町家のカレンダー" in response.text
    assert "<caption>2027年1月</caption>" in response.text
    assert "返事待ちのリクエスト" in response.text


def test_the_hosts_calendar_costs_the_same_queries_whatever_the_number_of_requests(
    client, host, listing, guest, login, make_reservation, django_assert_num_queries
):
    login(host)
    url = reverse("host_calendar", args=[listing.pk])
    client.get(url)
    with django_assert_num_queries(3):  # session with user, listing, its reservations
        client.get(url)
    for day in (3, 8, 13):
        make_reservation(
            listing, guest, check_in=date(2027, 2, day), check_out=date(2027, 2, day + 2)
        )
    with django_assert_num_queries(3):
        client.get(url)
