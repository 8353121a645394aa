"""A guest cancels in two steps, and the host hears of it, then of their next request."""

import pytest
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


def test_cancel_asks_first_and_changes_nothing(login, guest, listing, make_reservation):
    reservation = make_reservation(listing, guest)
    client = login(guest)
    url = reverse("cancel_reservation", args=[reservation.pk])
    assert f'<form method="get" action="{url}"' in client.get(reverse("my_trips")).text

    page = client.get(url)

    assert page.status_code == 200
    assert "Cancel your request to stay at Cabin by the lake" in page.text
    assert '<form method="post"' in page.text
    reservation.refresh_from_db()
    assert reservation.status == Status.PENDING


def test_the_confirmation_page_of_a_stay_that_cannot_be_cancelled_says_so(
    login, guest, listing, make_reservation
):
    reservation = make_reservation(listing, guest, status=Status.REJECTED)

    response = login(guest).get(reverse("cancel_reservation", args=[reservation.pk]), follow=True)

    assert "Only a pending or confirmed stay that has not started can be cancelled." in (
        response.text
    )


def test_cancelling_a_confirmed_stay_texts_the_host(login, guest, host, listing, make_reservation):
    stay = make_reservation(listing, guest, status=Status.CONFIRMED)

    login(guest).post(reverse("cancel_reservation", args=[stay.pk]))

    stay.refresh_from_db()
    assert stay.status == Status.CANCELLED
    assert texts_to(host) == [
        f"Gus has cancelled their stay at Cabin by the lake, {stay_dates(stay)}"
        f". Those nights are free again."
    ]


def test_cancelling_a_request_the_host_was_not_texted_about_does_not_text_them(
    login, guest, host, listing, make_user, make_reservation
):
    make_reservation(listing, make_user())
    waiting = make_reservation(
        listing, guest, check_in=days_from_now(30), check_out=days_from_now(31)
    )

    login(guest).post(reverse("cancel_reservation", args=[waiting.pk]))

    assert len(texts_to(host)) == 1  # only the first request's


def test_a_host_answering_a_request_since_cancelled_is_told_so(
    twilio, run_worker, guest, host, listing, make_reservation, login, twilio_post
):
    reservation = make_reservation(listing, guest)
    run_worker()
    login(guest).post(reverse("cancel_reservation", args=[reservation.pk]))
    run_worker()

    response = twilio_post(
        "/reservations/incoming",
        {"MessageSid": "SM" + "7" * 32, "From": str(host.phone_number), "Body": "yes"},
    )

    assert "Gus has cancelled their request to stay at Cabin by the lake" in response.text
    assert "Sorry" not in response.text
    assert not OutstandingRequest.objects.exists()


@pytest.mark.parametrize("status", [Status.PENDING, Status.CONFIRMED])
def test_a_guest_cannot_cancel_twice(login, guest, listing, make_reservation, status):
    reservation = make_reservation(listing, guest, status=status)
    client = login(guest)
    client.post(reverse("cancel_reservation", args=[reservation.pk]))

    response = client.post(reverse("cancel_reservation", args=[reservation.pk]), follow=True)

    assert "Only a pending or confirmed stay that has not started can be cancelled." in (
        response.text
    )
