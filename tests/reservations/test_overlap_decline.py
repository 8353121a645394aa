"""Confirming a stay declines the overlapping requests at once, and their guests are told."""

from django.urls import reverse

from airtng.messaging.models import Direction, Message
from reservations.models import OutstandingRequest, Reservation
from tests.conftest import days_from_now, stay_dates

Status = Reservation.Status


def texts_to(user):
    return list(
        Message.objects.filter(direction=Direction.OUTBOUND, to=str(user.phone_number))
        .order_by("id")
        .values_list("body", flat=True)
    )


def test_confirming_declines_overlapping_requests_and_offers_the_next_acceptable(
    login, host, guest, make_user, make_property, listing, make_reservation
):
    first = make_reservation(
        listing, guest, check_in=days_from_now(10), check_out=days_from_now(14)
    )
    overlapping = make_reservation(
        listing,
        make_user(first_name="Olive"),
        check_in=days_from_now(12),
        check_out=days_from_now(16),
    )
    elsewhere = make_reservation(
        make_property(host, title="Loft"),
        make_user(first_name="Eve"),
        check_in=days_from_now(12),
        check_out=days_from_now(16),
    )
    later = make_reservation(
        listing,
        make_user(first_name="Lou"),
        check_in=days_from_now(14),
        check_out=days_from_now(15),
    )

    login(host).post(reverse("accept_reservation", args=[first.pk]))

    statuses = dict(Reservation.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: Status.CONFIRMED,
        overlapping.pk: Status.DECLINED,
        elsewhere.pk: Status.PENDING,
        later.pk: Status.PENDING,
    }
    assert texts_to(overlapping.guest)[-1] == (
        f"Your request to stay at Cabin by the lake, {stay_dates(overlapping)}"
        f", was declined: those dates were just booked by "
        "another guest. You can request other dates on Airtng."
    )
    assert len(texts_to(overlapping.guest)) == 2  # request sent, declined
    assert OutstandingRequest.objects.get(host=host).reservation == elsewhere
    assert [body[:42] for body in texts_to(host)] == [
        "You have a new reservation request from Gu",
        "You have a new reservation request from Ev",
    ]


def test_declining_the_offered_overlapping_request_offers_the_next_once(
    login, host, guest, make_user, listing, make_reservation
):
    offered = make_reservation(
        listing,
        make_user(first_name="Olive"),
        check_in=days_from_now(12),
        check_out=days_from_now(16),
    )
    accepted_on_the_web = make_reservation(
        listing, guest, check_in=days_from_now(10), check_out=days_from_now(14)
    )
    later = make_reservation(
        listing,
        make_user(first_name="Lou"),
        check_in=days_from_now(20),
        check_out=days_from_now(21),
    )

    login(host).post(reverse("accept_reservation", args=[accepted_on_the_web.pk]))

    offered.refresh_from_db()
    assert offered.status == Status.DECLINED
    assert OutstandingRequest.objects.get(host=host).reservation == later
    assert [body[:42] for body in texts_to(host)] == [
        "You have a new reservation request from Ol",
        "You have a new reservation request from Lo",
    ]
