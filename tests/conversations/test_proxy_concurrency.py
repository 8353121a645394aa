"""Proxy numbers under concurrent requests, on PostgreSQL (SQLite serializes writers)."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from reservations import services
from reservations.conversations.models import Conversation, ProxySeat
from tests.conftest import days_from_now

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database with concurrent writers"
    ),
    pytest.mark.django_db(transaction=True),
]

ALLOCATIONS = 50
THREADS = 40  # PostgreSQL's default max_connections is 100
POOL = [f"+1500555{n:04d}" for n in range(200, 206)]


def test_fifty_requests_at_once_never_give_one_person_a_number_twice(
    settings, guest, make_user, make_property
):
    settings.TWILIO_PROXY_NUMBERS = POOL
    listings = [make_property(make_user(), title=f"Place {n}") for n in range(ALLOCATIONS)]
    start = threading.Event()

    def book(listing):
        start.wait()
        try:
            return services.request_stay(
                guest=guest,
                property=listing,
                check_in=days_from_now(10),
                check_out=days_from_now(12),
                guests=1,
                message="hello",
            ).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(book, listing) for listing in listings]
        start.set()
        booked = [future.result() for future in futures]  # none failed, none deadlocked

    assert len(set(booked)) == ALLOCATIONS
    numbers = Counter(
        Conversation.objects.filter(reservation__guest=guest, closed_at__isnull=True)
        .exclude(proxy_number="")
        .values_list("proxy_number", flat=True)
    )
    # Each number serves one of the guest's conversations, and the whole pool is used.
    assert numbers == Counter(POOL)
    assert Conversation.objects.filter(proxy_number="").count() == ALLOCATIONS - len(POOL)
    assert ProxySeat.objects.filter(person=guest).count() == len(POOL)
