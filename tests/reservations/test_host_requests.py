from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reservations.models import Reservation
from tests.conftest import days_from_now

Status = Reservation.Status


def test_requests_list_pending_first_then_oldest_first(
    login, host, guest, listing, make_reservation
):
    now = timezone.now()
    decided = make_reservation(
        listing, guest, status=Status.REJECTED, created_at=now - timedelta(days=3)
    )
    newer = make_reservation(listing, guest, message="newer", created_at=now - timedelta(days=1))
    older = make_reservation(listing, guest, message="older", created_at=now - timedelta(days=2))

    response = login(host).get(reverse("host_requests"))

    assert list(response.context["requests"]) == [older, newer, decided]
    assert response.text.index("older") < response.text.index("newer")


def test_requests_show_only_the_hosts_own_properties(
    login, host, guest, make_user, make_property, make_reservation
):
    theirs = make_reservation(make_property(make_user(), title="Someone else's"), guest)

    response = login(host).get(reverse("host_requests"))

    assert theirs not in response.context["requests"]
    assert "Someone else&#x27;s" not in response.text


def test_accepting_confirms_the_request(login, host, guest, listing, make_reservation):
    reservation = make_reservation(listing, guest)

    response = login(host).post(reverse("accept_reservation", args=[reservation.pk]), follow=True)

    reservation.refresh_from_db()
    assert reservation.status == Status.CONFIRMED
    assert reservation.decided_via == Reservation.Channel.WEB
    assert reservation.decided_at is not None
    assert "You confirmed the stay." in response.text


def test_rejecting_rejects_the_request(login, host, guest, listing, make_reservation):
    reservation = make_reservation(listing, guest)

    response = login(host).post(reverse("reject_reservation", args=[reservation.pk]), follow=True)

    reservation.refresh_from_db()
    assert reservation.status == Status.REJECTED
    assert "You rejected the request." in response.text


def test_a_second_decision_changes_nothing(login, host, guest, listing, make_reservation):
    reservation = make_reservation(listing, guest)
    client = login(host)
    client.post(reverse("reject_reservation", args=[reservation.pk]))
    decided_at = Reservation.objects.get().decided_at

    response = client.post(reverse("accept_reservation", args=[reservation.pk]), follow=True)

    reservation.refresh_from_db()
    assert (reservation.status, reservation.decided_at) == (Status.REJECTED, decided_at)
    assert "This request was already decided." in response.text


def test_accepting_a_request_declines_the_overlapping_one_which_cannot_be_accepted(
    login, host, guest, make_user, listing, make_reservation
):
    first = make_reservation(
        listing, guest, check_in=days_from_now(10), check_out=days_from_now(14)
    )
    second = make_reservation(
        listing, make_user(), check_in=days_from_now(13), check_out=days_from_now(15)
    )
    client = login(host)
    client.post(reverse("accept_reservation", args=[first.pk]))

    response = client.post(reverse("accept_reservation", args=[second.pk]), follow=True)

    second.refresh_from_db()
    assert second.status == Status.DECLINED
    assert "This request was already decided." in response.text


@pytest.mark.parametrize("action", ["accept_reservation", "reject_reservation"])
def test_another_host_cannot_decide(login, make_user, guest, listing, make_reservation, action):
    reservation = make_reservation(listing, guest)

    response = login(make_user()).post(reverse(action, args=[reservation.pk]))

    assert response.status_code == 404
    assert Reservation.objects.get().status == Status.PENDING


def test_the_guest_cannot_accept_their_own_request(login, guest, listing, make_reservation):
    reservation = make_reservation(listing, guest)

    response = login(guest).post(reverse("accept_reservation", args=[reservation.pk]))

    assert response.status_code == 404
    assert Reservation.objects.get().status == Status.PENDING


def test_deciding_needs_a_post(login, host, guest, listing, make_reservation):
    reservation = make_reservation(listing, guest)

    response = login(host).get(reverse("accept_reservation", args=[reservation.pk]))

    assert response.status_code == 405
    assert Reservation.objects.get().status == Status.PENDING


def test_requests_need_a_login(client):
    response = client.get(reverse("host_requests"))

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('host_requests')}"
