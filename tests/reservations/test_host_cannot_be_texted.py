"""A host whose number opted out of SMS is asked on the web, and the guest is told so."""

import pytest
from django.urls import reverse

from airtng.messaging.models import OptOut
from tests.conftest import days_from_now

CANNOT_BE_TEXTED = "Hannah cannot be texted, so Airtng will ask them on the web."


def stay():
    return {
        "check_in": days_from_now(10).isoformat(),
        "check_out": days_from_now(13).isoformat(),
        "guests": 2,
        "message": "Hello!",
    }


@pytest.fixture
def host_stopped_texts(host):
    OptOut.objects.create(phone_number=str(host.phone_number))


def test_the_guest_is_told_after_requesting_that_the_host_cannot_be_texted(
    login, guest, listing, host_stopped_texts
):
    response = login(guest).post(reverse("request_stay", args=[listing.pk]), stay(), follow=True)

    assert "Your request was sent to Hannah." in response.text
    assert CANNOT_BE_TEXTED in response.text


def test_my_trips_says_so_for_a_pending_request(
    login, guest, listing, make_reservation, host_stopped_texts
):
    make_reservation(listing, guest)

    response = login(guest).get(reverse("my_trips"))

    assert CANNOT_BE_TEXTED in response.text


def test_a_host_whose_number_is_unverified_cannot_be_texted_either(
    login, guest, host, listing, make_reservation
):
    host.phone_verified = False
    host.save()
    make_reservation(listing, guest)

    response = login(guest).get(reverse("my_trips"))

    assert CANNOT_BE_TEXTED in response.text


def test_nothing_is_said_when_the_host_can_be_texted(login, guest, listing, make_reservation):
    response = login(guest).post(reverse("request_stay", args=[listing.pk]), stay(), follow=True)

    assert "Your request was sent to Hannah." in response.text
    assert "cannot be texted" not in response.text
