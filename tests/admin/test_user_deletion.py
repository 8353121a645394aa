"""Reservations are history: the admin refuses to delete a guest or a host who has any, and
lists them; staff deactivate such a user instead."""

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import User
from properties.models import Property
from reservations.models import OutstandingRequest, Reservation

Status = Reservation.Status


@pytest.fixture
def staff_client(login, staff):
    return login(staff)


@pytest.fixture
def request_(listing, guest, make_reservation):
    """Gus's pending request, offered to Hannah."""
    return make_reservation(listing, guest)


def delete_page(client, user):
    return client.get(reverse("admin:accounts_user_delete", args=[user.pk]))


def confirm_delete(client, user):
    return client.post(reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"})


def delete_selected(client, *users):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [user.pk for user in users],
            "post": "yes",
        },
    )


def assert_history_kept(request_, *, host):
    assert Reservation.objects.filter(pk=request_.pk, status=Status.PENDING).exists()
    assert OutstandingRequest.objects.get(host=host).reservation_id == request_.pk


@pytest.mark.parametrize("who", ["guest", "host"])
def test_the_delete_page_of_a_user_with_reservations_lists_them_and_deletes_nothing(
    staff_client, request_, guest, host, who
):
    user = {"guest": guest, "host": host}[who]

    page = delete_page(staff_client, user)
    confirmed = confirm_delete(staff_client, user)

    for response in (page, confirmed):
        assert "<title>Cannot delete user" in response.text
        assert "would require deleting the following protected related objects" in response.text
        assert escape(str(request_)) in response.text
    assert User.objects.filter(pk=user.pk).exists()
    assert Property.objects.filter(host=host).exists()
    assert_history_kept(request_, host=host)


@pytest.mark.parametrize("who", ["guest", "host"])
def test_deleting_a_user_with_reservations_from_the_list_is_refused(
    staff_client, request_, guest, host, who
):
    user = {"guest": guest, "host": host}[who]

    response = delete_selected(staff_client, user)

    assert "<title>Cannot delete user" in response.text
    assert escape(str(request_)) in response.text
    assert User.objects.filter(pk=user.pk).exists()
    assert_history_kept(request_, host=host)


def test_a_host_whose_past_stays_are_history_cannot_be_deleted(
    staff_client, host, guest, listing, make_reservation
):
    stay = make_reservation(listing, guest, status=Status.REJECTED)

    response = confirm_delete(staff_client, host)

    assert "<title>Cannot delete user" in response.text
    assert Reservation.objects.filter(pk=stay.pk).exists()


def test_a_user_with_a_listing_but_no_reservations_can_be_deleted(
    staff_client, host, guest, listing
):
    response = confirm_delete(staff_client, host)

    assert response.status_code == 302
    assert not User.objects.filter(pk=host.pk).exists()
    assert not Property.objects.filter(pk=listing.pk).exists()


def test_staff_deactivate_a_user_with_reservations_and_the_reservations_stay(
    staff_client, request_, guest, host
):
    change = reverse("admin:accounts_user_change", args=[guest.pk])
    joined = timezone.localtime(guest.date_joined)

    response = staff_client.post(
        change,
        {
            "email": guest.email,
            "first_name": guest.first_name,
            "last_name": "",
            "phone_number": str(guest.phone_number),
            "phone_verified": "on",
            "date_joined_0": joined.date().isoformat(),
            "date_joined_1": joined.time().strftime("%H:%M:%S"),
        },
    )

    assert response.status_code == 302
    guest.refresh_from_db()
    assert not guest.is_active
    assert_history_kept(request_, host=host)
