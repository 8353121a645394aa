"""No two confirmed stays of one property overlap: the database says so, not only Python."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from reservations import services
from reservations.models import Reservation
from tests.conftest import days_from_now

Status = Reservation.Status


def test_the_database_refuses_a_second_overlapping_confirmed_stay(
    guest, make_user, listing, make_reservation
):
    make_reservation(listing, guest, status=Status.CONFIRMED)
    overlapping = make_reservation(
        listing, make_user(), check_in=days_from_now(12), check_out=days_from_now(20)
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.filter(pk=overlapping.pk).update(status=Status.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_reservation(listing, guest, status=Status.CONFIRMED)


def test_the_database_allows_back_to_back_stays_and_other_properties(
    guest, listing, make_property, host, make_reservation
):
    make_reservation(listing, guest, status=Status.CONFIRMED)
    make_reservation(
        listing,
        guest,
        check_in=days_from_now(13),
        check_out=days_from_now(15),
        status=Status.CONFIRMED,
    )
    make_reservation(make_property(host), guest, status=Status.CONFIRMED)

    assert Reservation.objects.filter(status=Status.CONFIRMED).count() == 3


@pytest.mark.parametrize(
    "constraint_breaking_fields",
    [
        {"check_in": days_from_now(5), "check_out": days_from_now(5)},
        {"check_in": days_from_now(5), "check_out": days_from_now(4)},
        {"status": "maybe"},
        {"guests": 0},
    ],
)
def test_the_database_refuses_impossible_reservations(
    guest, listing, make_reservation, constraint_breaking_fields
):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_reservation(listing, guest, **constraint_breaking_fields)


def accept_all_at_once(requests):
    """Accept every request from its own thread, all released together."""
    barrier = threading.Barrier(len(requests))
    outcomes = []

    def accept(reservation):
        barrier.wait()
        try:
            services.decide_reservation(
                reservation=reservation, accepted=True, via=Reservation.Channel.WEB
            )
            outcomes.append("confirmed")
        except (services.OverlapsConfirmedStay, services.NotPending):
            # NotPending: the winner declined it first, as overlapping its stay.
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the race needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_racing_accepts_of_overlapping_requests_confirm_only_one(
    make_user, listing, make_reservation
):
    racers = 8
    for round_ in range(5):
        check_in = days_from_now(10 + round_ * 40)
        requests = [
            make_reservation(
                listing,
                make_user(),
                check_in=check_in,
                check_out=check_in + timedelta(days=3 + n),
            )
            for n in range(racers)
        ]

        outcomes = accept_all_at_once(requests)

        assert outcomes == ["confirmed"] + ["refused"] * (racers - 1)
        confirmed = Reservation.objects.filter(
            pk__in=[r.pk for r in requests], status=Status.CONFIRMED
        )
        assert confirmed.count() == 1
        others = Reservation.objects.filter(pk__in=[r.pk for r in requests]).exclude(
            status=Status.CONFIRMED
        )
        assert set(others.values_list("status", flat=True)) == {Status.DECLINED}
