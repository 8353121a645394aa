"""A guest who requests and cancels in a loop cannot text a host without end."""

from datetime import timedelta

from django.db.models import F
from django.urls import reverse

from airtng.messaging.models import Message
from reservations.models import Reservation
from tests.reservations.test_request_stay import stay

REFUSED = "You have sent this host several requests today. You can ask again tomorrow."


def texts_to(user):
    return Message.objects.filter(to=str(user.phone_number)).count()


def request_and_cancel(client, listing):
    response = client.post(reverse("request_stay", args=[listing.pk]), stay())
    latest = Reservation.objects.filter(property=listing).order_by("-pk").first()
    if latest and latest.status == Reservation.Status.PENDING:
        client.post(reverse("cancel_reservation", args=[latest.pk]))
    return response


def test_the_fourth_request_of_a_day_to_one_host_is_refused(login, guest, host, listing):
    client = login(guest)
    for _ in range(3):
        assert request_and_cancel(client, listing).status_code == 302
    texted = texts_to(host)

    fourth = request_and_cancel(client, listing)

    assert fourth.status_code == 400
    assert REFUSED in fourth.text
    assert Reservation.objects.count() == 3
    # Each request texted the host twice: the request, then its cancellation.
    assert texted == 6
    assert texts_to(host) == texted


def test_another_host_can_still_be_asked(login, guest, listing, make_user, make_property):
    client = login(guest)
    for _ in range(3):
        request_and_cancel(client, listing)
    elsewhere = make_property(make_user(first_name="Otto"), title="Otto's loft")

    response = client.post(reverse("request_stay", args=[elsewhere.pk]), stay())

    assert response.status_code == 302


def test_a_day_later_the_guest_may_ask_again(login, guest, listing):
    client = login(guest)
    for _ in range(3):
        request_and_cancel(client, listing)
    Reservation.objects.update(created_at=F("created_at") - timedelta(days=1, seconds=1))

    response = request_and_cancel(client, listing)

    assert response.status_code == 302
