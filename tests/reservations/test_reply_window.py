"""A host has HOST_REPLY_WINDOW_MINUTES to answer: reminded once at half, expired at the end."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from airtng.messaging.models import Direction, Message
from reservations import services
from reservations.models import OutstandingRequest, Reservation
from tests.conftest import days_from_now, stay_dates
from tests.reservations.test_sms_concurrency import all_at_once

Status = Reservation.Status
WINDOW = timedelta(minutes=60)


@pytest.fixture(autouse=True)
def one_hour_window(settings):
    settings.HOST_REPLY_WINDOW_MINUTES = 60


def texts_to(user):
    return list(
        Message.objects.filter(direction=Direction.OUTBOUND, to=str(user.phone_number))
        .order_by("id")
        .values_list("body", flat=True)
    )


@pytest.fixture
def request_(listing, guest, make_reservation):
    return make_reservation(listing, guest)


def test_the_guest_is_told_when_the_host_must_answer_by(request_, guest):
    [sent] = texts_to(guest)

    assert sent.startswith(
        "Your request to stay at Cabin by the lake, "
        f"{stay_dates(request_)}, was sent to Hannah, "
        "who has until "
    )
    assert request_.answer_by == request_.created_at + WINDOW


def test_the_answer_by_time_is_shown_on_the_trip_and_the_request(
    login, request_, guest, host, client
):
    trips = login(guest).get(reverse("my_trips")).text
    requests = login(host).get(reverse("host_requests")).text

    assert "Answer by" in trips
    assert "Answer by" in requests


def test_at_half_the_window_the_host_is_reminded_once(request_, host):
    now = timezone.now()
    assert services.remind_hosts(now=now + WINDOW / 2 - timedelta(minutes=1)) == 0

    reminded = services.remind_hosts(now=now + WINDOW / 2 + timedelta(seconds=1))
    again = services.remind_hosts(now=now + WINDOW / 2 + timedelta(minutes=5))

    assert (reminded, again) == (1, 0)
    assert texts_to(host)[-1].startswith(
        "Reminder: Gus is waiting for your answer to their request for Cabin by the lake"
    )
    assert len(texts_to(host)) == 2


def test_a_request_offered_after_half_its_window_is_not_reminded(
    request_, listing, make_user, make_reservation, host
):
    waiting = make_reservation(
        listing, make_user(), check_in=days_from_now(30), check_out=days_from_now(31)
    )
    # Offered only when the first is answered, later than half its window.
    Reservation.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - WINDOW * 0.9)
    services.decide_reservation(reservation=request_, accepted=False, via="web")
    assert OutstandingRequest.objects.get(host=host).reservation == waiting

    assert services.remind_hosts() == 0


def test_at_the_end_of_the_window_the_request_expires_and_the_guest_is_told(
    request_, guest, host, listing, make_user, make_reservation
):
    later = make_reservation(
        listing,
        make_user(first_name="Zoe"),
        check_in=days_from_now(30),
        check_out=days_from_now(31),
    )
    Reservation.objects.filter(pk=later.pk).update(created_at=request_.created_at + WINDOW / 4)
    now = timezone.now()
    assert services.expire_overdue_requests(now=now + WINDOW - timedelta(minutes=1)) == 0

    expired = services.expire_overdue_requests(now=request_.answer_by + timedelta(seconds=1))

    assert expired == 1
    request_.refresh_from_db()
    later.refresh_from_db()
    assert (request_.status, later.status) == (Status.EXPIRED, Status.PENDING)
    assert texts_to(guest)[-1].startswith(
        "Your request to stay at Cabin by the lake, "
        f"{stay_dates(request_)}, expired: "
        "Hannah did not answer in time."
    )
    assert texts_to(host)[-1].startswith("You have a new reservation request from Zoe")
    assert OutstandingRequest.objects.get(host=host).reservation == later
    assert services.expire_overdue_requests(now=request_.answer_by + timedelta(seconds=2)) == 0


def test_the_sweep_command_expires_reminds_and_offers(request_, settings, host):
    settings.HOST_REPLY_WINDOW_MINUTES = 0

    call_command("sweep_requests", verbosity=0)

    request_.refresh_from_db()
    assert request_.status == Status.EXPIRED
    assert not OutstandingRequest.objects.exists()


def test_a_request_no_signal_saw_still_reaches_its_host(listing, guest, host):
    Reservation.objects.bulk_create(
        [
            Reservation(
                property=listing,
                guest=guest,
                check_in=days_from_now(10),
                check_out=days_from_now(12),
                guests=1,
                message="bulk",
            )
        ]
    )
    assert texts_to(host) == []

    assert services.offer_waiting_hosts() == 1

    assert texts_to(host)[0].startswith("You have a new reservation request from Gus")


def test_a_stale_offer_is_dropped_and_the_next_request_offered(
    request_, listing, make_user, make_reservation, host
):
    later = make_reservation(
        listing,
        make_user(first_name="Zoe"),
        check_in=days_from_now(30),
        check_out=days_from_now(31),
    )
    # A raw UPDATE bypasses the services, as an old admin form did.
    Reservation.objects.filter(pk=request_.pk).update(status=Status.REJECTED)

    services.offer_waiting_hosts()

    assert OutstandingRequest.objects.get(host=host).reservation == later


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_workers_sweeping_at_once_remind_and_expire_each_request_once(
    host, listing, make_user, make_reservation
):
    guests = [make_user() for _ in range(5)]
    for n, guest in enumerate(guests):
        make_reservation(
            listing, guest, check_in=days_from_now(10 + 2 * n), check_out=days_from_now(11 + 2 * n)
        )
    halfway = timezone.now() + WINDOW / 2 + timedelta(seconds=1)
    end = timezone.now() + WINDOW + timedelta(seconds=1)

    all_at_once(lambda _: services.sweep_requests(now=halfway), range(8))
    all_at_once(lambda _: services.sweep_requests(now=end), range(8))

    assert [body[:9] for body in texts_to(host)] == ["You have ", "Reminder:"]
    assert set(Reservation.objects.values_list("status", flat=True)) == {Status.EXPIRED}
    for guest in guests:
        [sent, expired] = texts_to(guest)
        assert ", expired: Hannah did not answer in time." in expired
