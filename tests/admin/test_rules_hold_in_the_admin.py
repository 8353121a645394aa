"""Staff go through the same rules as everyone: requests and phone numbers in the admin."""

import pytest
from django.urls import reverse

from airtng.messaging.models import Message
from reservations.models import OutstandingRequest, Reservation
from tests.conftest import days_from_now

ADD_RESERVATION = "admin:reservations_reservation_add"


@pytest.fixture
def staff(make_user):
    return make_user(is_staff=True, is_superuser=True)


def reservation_form(guest, listing, check_in=10, nights=3, guests=2):
    return {
        "guest": guest.pk,
        "property": listing.pk,
        "check_in": days_from_now(check_in).isoformat(),
        "check_out": days_from_now(check_in + nights).isoformat(),
        "guests": guests,
        "message": "Booked by phone with our staff.",
    }


def test_the_add_page_asks_for_what_a_guest_asks_for(login, staff):
    response = login(staff).get(reverse(ADD_RESERVATION))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields) == [
        "guest",
        "property",
        "check_in",
        "check_out",
        "guests",
        "message",
    ]


def test_staff_add_a_request_and_the_host_is_texted(login, staff, guest, host, listing):
    response = login(staff).post(reverse(ADD_RESERVATION), reservation_form(guest, listing))

    assert response.status_code == 302, response.text
    reservation = Reservation.objects.get()
    assert (reservation.guest, reservation.status) == (guest, Reservation.Status.PENDING)
    assert OutstandingRequest.objects.get(host=host).reservation == reservation
    assert Message.objects.filter(to=str(host.phone_number), reservation=reservation).exists()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"check_in": -3}, "Check-in must be in the future."),
        ({"nights": 31}, "A stay can be at most 30 nights."),
        ({"nights": 0}, "Check-out must be after check-in."),
        ({"guests": 9}, "This property sleeps at most 4 guests."),
    ],
)
def test_staff_cannot_add_a_request_the_web_would_refuse(
    login, staff, guest, listing, change, error
):
    response = login(staff).post(
        reverse(ADD_RESERVATION), reservation_form(guest, listing, **change)
    )

    assert response.status_code == 200
    assert error in response.text
    assert not Reservation.objects.exists()


def test_staff_cannot_add_a_stay_at_the_hosts_own_listing(login, staff, host, listing):
    response = login(staff).post(reverse(ADD_RESERVATION), reservation_form(host, listing))

    assert "You cannot request a stay at your own property." in response.text
    assert not Reservation.objects.exists()


def test_staff_cannot_add_a_request_for_a_guest_whose_phone_is_unverified(
    login, staff, make_user, listing
):
    unverified = make_user(phone_verified=False)

    response = login(staff).post(reverse(ADD_RESERVATION), reservation_form(unverified, listing))

    assert "The guest must verify their phone number before requesting a stay." in response.text
    assert not Reservation.objects.exists()


def test_staff_cannot_add_a_request_over_a_confirmed_stay(
    login, staff, guest, make_user, listing, make_reservation
):
    make_reservation(
        listing,
        make_user(),
        check_in=days_from_now(11),
        check_out=days_from_now(12),
        status=Reservation.Status.CONFIRMED,
    )

    response = login(staff).post(reverse(ADD_RESERVATION), reservation_form(guest, listing))

    assert "The property is already booked for some of those nights." in response.text
    assert Reservation.objects.count() == 1


def user_form(user, **changes):
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone_number": str(user.phone_number),
        "phone_verified": "on",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        **changes,
    }


def test_a_number_staff_change_is_unverified_even_if_ticked(login, staff, guest):
    url = reverse("admin:accounts_user_change", args=[guest.pk])

    response = login(staff).post(url, user_form(guest, phone_number="+12015550142"))

    assert response.status_code == 302, response.text
    guest.refresh_from_db()
    assert (str(guest.phone_number), guest.phone_verified) == ("+12015550142", False)


def test_staff_editing_anything_else_leave_the_number_verified(login, staff, guest):
    url = reverse("admin:accounts_user_change", args=[guest.pk])

    login(staff).post(url, user_form(guest, first_name="Gustav"))

    guest.refresh_from_db()
    assert (guest.first_name, guest.phone_verified) == ("Gustav", True)
