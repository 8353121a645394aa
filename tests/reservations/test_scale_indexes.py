"""Every query of a booking and of a host's "accept" can be served by an index (PostgreSQL).

The tables here are tiny, so the planner would rightly scan them whole; with sequential
scans disabled, a query that still scans a table has no index that serves it, and would
read every row of that table at a million reservations. bench/scale.py shows the plans at
that size.
"""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.reservations.test_query_budget import book, host_replies

pytestmark = pytest.mark.django_db(transaction=True)

NOT_PLANNED = re.compile(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT)\b", re.IGNORECASE)


@pytest.fixture(autouse=True)
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the plans are PostgreSQL's")


def tables_scanned_whole(call):
    with CaptureQueriesContext(connection) as captured:
        response = call()
    scanned = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in captured.captured_queries:
            if NOT_PLANNED.match(query["sql"]):
                continue
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for table in re.findall(r"Seq Scan on (\w+)", plan):
                scanned.setdefault(table, query["sql"][:300])
    return response, scanned


def test_every_query_of_a_booking_uses_an_index(login, guest, listing):
    client = login(guest)
    book(client, listing, check_in=5)  # the host is texted; the next booking waits

    for check_in in (10, 20):
        response, scanned = tables_scanned_whole(
            lambda check_in=check_in: book(client, listing, check_in=check_in)
        )

        assert response.status_code == 302
        assert scanned == {}


def test_every_query_of_an_accept_uses_an_index(
    login, guest, listing, host, twilio_post, run_worker
):
    client = login(guest)
    book(client, listing, check_in=10)
    book(client, listing, check_in=20)
    client.logout()
    run_worker()  # Twilio takes the SMS about the first request

    response, scanned = tables_scanned_whole(
        lambda: host_replies(twilio_post, host, "accept", sid="SM" + "2" * 32)
    )

    assert response.status_code == 200
    assert b"successfully confirmed" in response.content
    assert scanned == {}
