import pytest
from django.urls import reverse

from reservations.models import Reservation
from tests.conftest import days_from_now

Status = Reservation.Status


def test_my_trips_lists_the_guests_reservations_with_status(
    login, guest, make_user, listing, make_reservation
):
    make_reservation(listing, guest, status=Status.CONFIRMED)
    make_reservation(listing, make_user(), message="not mine")

    response = login(guest).get(reverse("my_trips"))

    assert len(response.context["trips"]) == 1
    assert listing.title in response.text
    assert "Confirmed" in response.text


@pytest.mark.parametrize("status", [Status.PENDING, Status.CONFIRMED])
def test_a_guest_cancels_a_stay_that_has_not_started(
    login, guest, listing, make_reservation, status
):
    reservation = make_reservation(listing, guest, status=status)

    response = login(guest).post(reverse("cancel_reservation", args=[reservation.pk]), follow=True)

    reservation.refresh_from_db()
    assert reservation.status == Status.CANCELLED
    assert "Your stay was cancelled." in response.text


@pytest.mark.parametrize(
    ("status", "starts_in"),
    [
        (Status.CONFIRMED, 0),
        (Status.CONFIRMED, -1),
        (Status.REJECTED, 5),
        (Status.CANCELLED, 5),
    ],
)
def test_a_started_or_closed_stay_cannot_be_cancelled(
    login, guest, listing, make_reservation, status, starts_in
):
    reservation = make_reservation(
        listing,
        guest,
        status=status,
        check_in=days_from_now(starts_in),
        check_out=days_from_now(starts_in + 2),
    )
    client = login(guest)
    assert "Cancel</button>" not in client.get(reverse("my_trips")).text

    response = client.post(reverse("cancel_reservation", args=[reservation.pk]), follow=True)

    reservation.refresh_from_db()
    assert reservation.status == status
    assert "Only a pending or confirmed stay that has not started can be cancelled." in (
        response.text
    )


def test_nobody_else_can_cancel_a_guests_stay(login, host, guest, listing, make_reservation):
    reservation = make_reservation(listing, guest)

    response = login(host).post(reverse("cancel_reservation", args=[reservation.pk]))

    assert response.status_code == 404
    assert Reservation.objects.get().status == Status.PENDING
