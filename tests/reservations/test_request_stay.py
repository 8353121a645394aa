from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reservations.models import Reservation
from tests.conftest import days_from_now


def stay(check_in=10, nights=3, guests=2, message="Hello!"):
    return {
        "check_in": days_from_now(check_in).isoformat(),
        "check_out": days_from_now(check_in + nights).isoformat(),
        "guests": guests,
        "message": message,
    }


@pytest.fixture
def request_url(listing):
    return reverse("request_stay", args=[listing.pk])


def test_it_records_a_pending_request_and_shows_my_trips(login, guest, listing, request_url):
    client = login(guest)

    response = client.post(request_url, stay(), follow=True)

    reservation = Reservation.objects.get()
    assert reservation.status == Reservation.Status.PENDING
    assert (reservation.guest, reservation.property, reservation.guests) == (guest, listing, 2)
    assert reservation.check_in == days_from_now(10)
    assert response.redirect_chain[-1][0] == reverse("my_trips")
    assert listing.title in response.text
    assert "Pending" in response.text


def test_anonymous_guest_is_sent_to_log_in_and_back(client, listing, request_url):
    page = client.get(listing.get_absolute_url())
    login_link = f"{reverse('login')}?next={listing.get_absolute_url()}%23request"
    assert login_link in page.text

    response = client.post(request_url, stay())

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Reservation.objects.exists()


def test_getting_the_request_url_leads_back_to_the_form(login, guest, listing, request_url):
    response = login(guest).get(request_url)

    assert response.status_code == 302
    assert response.url == listing.get_absolute_url() + "#request"


@pytest.mark.parametrize(
    ("form", "error"),
    [
        (stay(check_in=-2), "Check-in must be in the future."),
        (stay(check_in=0), "Check-in must be in the future."),
        (stay(nights=0), "Check-out must be after check-in."),
        (stay(nights=-3), "Check-out must be after check-in."),
        (stay(nights=31), "A stay can be at most 30 nights."),
        (stay(guests=5), "This property sleeps at most 4 guests."),
        (stay(guests=0), "Ensure this value is greater than or equal to 1."),
        (stay(message=""), "This field is required."),
        (stay(message="x" * 1001), "Ensure this value has at most 1000 characters"),
        ({**stay(), "check_in": "next tuesday"}, "Enter a valid date."),
        ({**stay(), "guests": "🐙"}, "Enter a whole number."),
        ({}, "This field is required."),
    ],
)
def test_it_refuses_an_invalid_request_with_a_clear_error(login, guest, request_url, form, error):
    response = login(guest).post(request_url, form)

    assert response.status_code == 400
    assert error in response.text
    assert "violated" not in response.text
    assert not Reservation.objects.exists()


def test_a_thirty_night_stay_is_allowed(login, guest, request_url):
    login(guest).post(request_url, stay(nights=30))

    assert Reservation.objects.get().nights == 30


def test_a_host_cannot_request_their_own_property(login, host, request_url):
    response = login(host).post(request_url, stay())

    assert response.status_code == 400
    assert "You cannot request a stay at your own property." in response.text
    assert not Reservation.objects.exists()


def test_it_refuses_dates_overlapping_a_confirmed_stay(
    login, guest, make_user, listing, make_reservation, request_url
):
    make_reservation(
        listing,
        make_user(),
        check_in=days_from_now(11),
        check_out=days_from_now(12),
        status=Reservation.Status.CONFIRMED,
    )

    response = login(guest).post(request_url, stay(check_in=10, nights=3))

    assert response.status_code == 400
    assert "The property is already booked for some of those nights." in response.text
    assert Reservation.objects.count() == 1


def test_back_to_back_stays_and_pending_overlaps_are_allowed(
    login, guest, make_user, listing, make_reservation, request_url
):
    other = make_user()
    make_reservation(
        listing,
        other,
        check_in=days_from_now(7),
        check_out=days_from_now(10),
        status=Reservation.Status.CONFIRMED,
    )
    make_reservation(listing, other, check_in=days_from_now(10), check_out=days_from_now(13))

    response = login(guest).post(request_url, stay(check_in=10, nights=3))

    assert response.status_code == 302
    assert Reservation.objects.filter(guest=guest, status="pending").count() == 1


def test_an_unknown_property_is_not_found(login, guest):
    response = login(guest).post(reverse("request_stay", args=[999_999]), stay())

    assert response.status_code == 404


def test_the_date_pickers_start_tomorrow(login, guest, listing):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    page = login(guest).get(listing.get_absolute_url())

    assert f'min="{tomorrow}"' in page.text
