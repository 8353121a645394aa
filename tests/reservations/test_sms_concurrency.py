"""The SMS workflow under concurrent writers, on PostgreSQL (SQLite serializes them)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection

from airtng.messaging.models import Direction, Message
from reservations import services
from reservations.models import OutstandingRequest, Reservation
from tests.conftest import days_from_now, sms_to

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database with concurrent writers"
    ),
    pytest.mark.django_db(transaction=True),
]

# PostgreSQL's default max_connections is 100; leave room for the test's own.
THREADS = 40
# The lost request was seen in 3 of 60 rounds before the host's lock.
ROUNDS = 60


def all_at_once(work, items):
    """Run work(item) for every item from THREADS threads, released together."""
    start = threading.Event()

    def run(item):
        start.wait()
        try:
            return work(item)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(run, item) for item in items]
        start.set()
        return [future.result() for future in futures]


def test_a_hundred_requests_at_once_text_the_host_once(host, listing, make_user):
    guests = [make_user() for _ in range(100)]

    def book(guest):
        return services.request_stay(
            guest=guest,
            property=listing,
            check_in=days_from_now(10),
            check_out=days_from_now(12),
            guests=1,
            message="hello",
        )

    all_at_once(book, guests)

    assert Reservation.objects.filter(status="pending").count() == 100
    assert sms_to(host).count() == 1
    offered = OutstandingRequest.objects.get(host=host).reservation
    assert sms_to(host).get().reservation == offered
    # The database's clock, read under the host's lock, orders the requests as they arrived.
    assert offered == Reservation.objects.order_by("created_at", "id").first()
    assert offered == Reservation.objects.order_by("id").first()


def test_fifty_deliveries_of_one_reply_decide_once(
    host, guest, listing, make_reservation, run_worker
):
    reservation = make_reservation(listing, guest)
    run_worker()
    guest_sms_before = sms_to(guest).count()

    replies = all_at_once(
        lambda _: services.answer_host_sms(
            sid="SM" + "d" * 32, from_number=str(host.phone_number), body="accept"
        ),
        range(50),
    )

    (reply,) = set(replies)
    assert reply.startswith("You have successfully confirmed the reservation. Gus will stay")
    reservation.refresh_from_db()
    assert reservation.status == "confirmed"
    assert sms_to(guest).count() == guest_sms_before + 1
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1


def test_a_reply_racing_a_new_request_decides_the_oldest_and_offers_one_next(
    host, guest, listing, make_user, make_reservation, run_worker
):
    for round_ in range(5):
        Reservation.objects.filter(status="pending").update(status="rejected")
        OutstandingRequest.objects.all().delete()
        oldest = make_reservation(listing, guest)
        make_reservation(listing, make_user())  # waits behind the oldest
        assert OutstandingRequest.objects.get(host=host).reservation == oldest
        run_worker()
        newcomer = make_user()
        host_sms_before = sms_to(host).count()

        def act(which, round_=round_, newcomer=newcomer):
            if which == "reply":
                return services.answer_host_sms(
                    sid=f"SM{round_:032d}", from_number=str(host.phone_number), body="reject"
                )
            return services.request_stay(
                guest=newcomer,
                property=listing,
                check_in=days_from_now(40),
                check_out=days_from_now(41),
                guests=1,
                message="me too",
            )

        all_at_once(act, ["reply", "request"])

        oldest.refresh_from_db()
        assert oldest.status == "rejected"
        assert sms_to(host).count() == host_sms_before + 1
        next_offer = OutstandingRequest.objects.get(host=host).reservation
        assert next_offer.status == "pending"
        assert next_offer == (
            Reservation.objects.filter(status="pending").order_by("created_at", "id").first()
        )


def test_two_quick_yeses_decide_one_request_and_name_the_next(
    host, guest, listing, make_user, make_reservation, run_worker
):
    first = make_reservation(listing, guest)
    second = make_reservation(
        listing,
        make_user(first_name="Zoe"),
        check_in=days_from_now(30),
        check_out=days_from_now(31),
    )
    run_worker()

    replies = all_at_once(
        lambda n: services.answer_host_sms(
            sid=f"SM{n:032d}", from_number=str(host.phone_number), body="yes"
        ),
        [1, 2],
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("confirmed", "pending")
    assert sorted(reply[:30] for reply in replies) == [
        "Reply accept or reject to the ",
        "You have successfully confirme",
    ]


def test_a_request_booked_while_the_hosts_only_request_is_decided_is_offered(
    host, guest, listing, make_user, make_reservation, run_worker
):
    guests = [make_user() for _ in range(ROUNDS)]
    for round_, newcomer in enumerate(guests):
        check_in = days_from_now(5 + 2 * round_)
        texted = make_reservation(
            listing, guest, check_in=check_in, check_out=check_in + timedelta(days=1)
        )
        run_worker()
        assert OutstandingRequest.objects.get(host=host).reservation == texted

        def act(which, round_=round_, newcomer=newcomer):
            if which == "reply":
                return services.answer_host_sms(
                    sid=f"SM{round_:032d}", from_number=str(host.phone_number), body="reject"
                )
            return services.request_stay(
                guest=newcomer,
                property=listing,
                check_in=days_from_now(300),
                check_out=days_from_now(301),
                guests=1,
                message="me too",
            )

        host_sms_before = sms_to(host).count()
        all_at_once(act, ["reply", "request"])

        booked = Reservation.objects.get(guest=newcomer)
        assert OutstandingRequest.objects.get(host=host).reservation == booked, round_
        assert sms_to(host).count() == host_sms_before + 1
        Reservation.objects.filter(pk=booked.pk).update(status="rejected")
        OutstandingRequest.objects.all().delete()


def test_a_guest_cancelling_while_the_host_accepts_ends_the_request_once(
    host, listing, make_user, make_reservation, run_worker
):
    for round_ in range(20):
        guest = make_user()
        check_in = days_from_now(5 + 2 * round_)
        offered = make_reservation(
            listing, guest, check_in=check_in, check_out=check_in + timedelta(days=1)
        )
        waiting = make_reservation(
            listing, make_user(), check_in=days_from_now(300), check_out=days_from_now(301)
        )
        run_worker()
        host_sms_before = sms_to(host).count()

        def act(which, round_=round_, offered=offered, guest=guest):
            try:
                if which == "accept":
                    services.answer_host_sms(
                        sid=f"SM{round_:032d}", from_number=str(host.phone_number), body="yes"
                    )
                else:
                    services.cancel_reservation(reservation=offered, guest=guest)
            except services.CannotCancel:
                pass

        all_at_once(act, ["accept", "cancel"])

        offered.refresh_from_db()
        assert offered.status in ("confirmed", "cancelled")
        assert OutstandingRequest.objects.get(host=host).reservation == waiting
        new_to_host = list(
            sms_to(host).order_by("id").values_list("body", flat=True)[host_sms_before:]
        )
        # A cancelled confirmed stay or request is named to the host; the next offered once.
        assert (
            sum(body.startswith("You have a new reservation request") for body in new_to_host) == 1
        )
        Reservation.objects.filter(pk=waiting.pk).update(status="rejected")
        OutstandingRequest.objects.all().delete()
