"""A listing is withdrawn, not deleted, once guests have stays there; history is kept."""

from django.urls import reverse
from django.utils import timezone

from airtng.messaging.models import Direction, Message
from properties.models import Property
from reservations.models import OutstandingRequest, Reservation
from tests.conftest import days_from_now, stay_dates

Status = Reservation.Status


def texts_to(user):
    return list(
        Message.objects.filter(direction=Direction.OUTBOUND, to=str(user.phone_number))
        .order_by("id")
        .values_list("body", flat=True)
    )


def test_a_listing_with_a_future_confirmed_stay_cannot_be_deleted(
    login, host, guest, listing, make_reservation
):
    stay = make_reservation(listing, guest, status=Status.CONFIRMED)
    client = login(host)
    url = reverse("property_delete", args=[listing.pk])

    page = client.get(url)
    response = client.post(url, follow=True)

    assert "has confirmed stays to come, so it cannot be deleted" in page.text
    assert "This place has confirmed stays to come, so it cannot be deleted." in response.text
    assert Property.objects.get(pk=listing.pk).withdrawn_at is None
    stay.refresh_from_db()
    assert stay.status == Status.CONFIRMED


def test_withdrawing_hides_the_listing_declines_pending_requests_and_keeps_stays(
    login, host, guest, make_user, make_property, listing, make_reservation, client
):
    stay = make_reservation(listing, make_user(), status=Status.CONFIRMED)
    pending = make_reservation(
        listing, guest, check_in=days_from_now(30), check_out=days_from_now(32)
    )
    elsewhere = make_reservation(make_property(host, title="Loft"), make_user(first_name="Eve"))
    assert OutstandingRequest.objects.get(host=host).reservation == pending
    host_client = login(host)
    assert (
        "Withdraw “Cabin by the lake”?"
        in host_client.get(reverse("property_withdraw", args=[listing.pk])).text
    )

    response = host_client.post(reverse("property_withdraw", args=[listing.pk]), follow=True)

    assert "“Cabin by the lake” was withdrawn." in response.text
    statuses = dict(Reservation.objects.values_list("pk", "status"))
    assert statuses == {
        stay.pk: Status.CONFIRMED,
        pending.pk: Status.DECLINED,
        elsewhere.pk: Status.PENDING,
    }
    assert texts_to(guest)[-1] == (
        f"Your request to stay at Cabin by the lake, {stay_dates(pending)}"
        f", was declined: Hannah no longer offers the place. "
        "You can find another one on Airtng."
    )
    assert OutstandingRequest.objects.get(host=host).reservation == elsewhere
    client.logout()
    home = client.get(reverse("home")).text
    assert "Cabin by the lake" not in home and "Loft" in home


def test_a_withdrawn_listing_takes_no_requests(login, guest, listing):
    listing.withdrawn_at = timezone.now()
    listing.save()
    client = login(guest)

    page = client.get(listing.get_absolute_url())
    response = client.post(
        reverse("request_stay", args=[listing.pk]),
        {
            "check_in": days_from_now(10).isoformat(),
            "check_out": days_from_now(12).isoformat(),
            "guests": 1,
            "message": "hi",
        },
        follow=True,
    )

    assert "This place is no longer offered." in page.text
    assert "This place is no longer offered." in response.text
    assert not Reservation.objects.exists()


def test_deleting_a_listing_with_only_past_history_withdraws_it_and_keeps_the_history(
    login, host, guest, listing, make_reservation
):
    past = make_reservation(listing, guest, status=Status.REJECTED)

    response = login(host).post(reverse("property_delete", args=[listing.pk]), follow=True)

    assert "“Cabin by the lake” was withdrawn; its past reservations are kept." in response.text
    assert Reservation.objects.filter(pk=past.pk).exists()
    assert Property.objects.get(pk=listing.pk).withdrawn_at is not None


def test_the_admin_refuses_to_delete_a_listing_with_reservations_and_can_withdraw_it(
    login, make_user, guest, listing, make_reservation
):
    make_reservation(listing, guest, status=Status.CONFIRMED)
    client = login(make_user(is_staff=True, is_superuser=True))

    page = client.post(
        reverse("admin:properties_property_delete", args=[listing.pk]), {"post": "yes"}
    )
    client.post(
        reverse("admin:properties_property_changelist"),
        {"action": "withdraw_selected", "_selected_action": [listing.pk]},
    )

    assert "<title>Cannot delete property" in page.text
    assert Property.objects.get(pk=listing.pk).withdrawn_at is not None
    assert Reservation.objects.get().status == Status.CONFIRMED
