"""Making one action wait for a PostgreSQL row lock that another holds, deterministically.

A statement that waited for a row lock reads from the snapshot taken before the wait: what
the holder changed under the lock must be read after it. These tests hold the lock, start
the other action in a thread, and commit only once it waits.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse

from reservations.models import Reservation
from tests.conftest import signed_in

WAIT_SECONDS = 10


def waited_while(holding, waiting):
    """waiting() in a thread of its own, made to wait for a lock while holding() holds it
    (in a transaction committed once waiting() waits on this connection).

    Returns what waiting() returned, or the exception it raised.
    """
    outcome = {}
    its_connection = threading.Event()

    def run():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cursor.fetchone()[0]
            its_connection.set()
            outcome["result"] = waiting()
        except Exception as error:
            outcome["result"] = error
        finally:
            its_connection.set()
            connection.close()

    thread = threading.Thread(target=run)
    with transaction.atomic():
        holding()
        thread.start()
        assert its_connection.wait(WAIT_SECONDS)
        waits_for_us(outcome["pid"])
    thread.join(WAIT_SECONDS)
    assert not thread.is_alive()
    return outcome["result"]


def waits_for_us(pid):
    """Return once the backend `pid` waits for a lock this connection holds."""
    deadline = time.monotonic() + WAIT_SECONDS
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_backend_pid() = ANY(pg_blocking_pids(%s))", [pid])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    pytest.fail("the action never waited for the lock held")


def accepted_while(holding, host, request):
    """The host accepts `request` on the web while holding() holds their lock; it is confirmed."""
    web = signed_in(host)
    response = waited_while(
        holding, lambda: web.post(reverse("accept_reservation", args=[request.pk]))
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == Reservation.Status.CONFIRMED
