"""A host's STOP or START to a proxy number is heeded by whatever waited for their lock.

As on Airtng's own number (tests/reservations/test_opt_out_concurrency.py): on PostgreSQL
(SQLite serializes writers) the opt-out is changed under the sender's lock, so an accept or a
booking that waited for it reads it after the lock.
"""

import pytest
from django.db import connection

from airtng.messaging.opt_outs import is_opted_out
from properties.models import Property
from reservations import services
from reservations.models import OutstandingRequest, Reservation
from tests.conftest import days_from_now, sms_to
from tests.conversations.conftest import PROXY_A, sms_params
from tests.row_locks import accepted_while, waited_while

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database with concurrent writers"
    ),
    pytest.mark.django_db(transaction=True),
]

Status = Reservation.Status
INCOMING = "/reservations/incoming"


@pytest.fixture
def texts_the_proxy(twilio_post, host):
    """The host's SMS to the proxy number of their first conversation, signed as Twilio would."""

    def send(body):
        response = twilio_post(INCOMING, sms_params(sender=host, to=PROXY_A, body=body))
        assert response.status_code == 200
        return response

    return send


@pytest.fixture
def two_requests(proxy_numbers, listing, guest, request_stay):
    """Two pending requests for the host, each with its conversation: the first offered."""
    return request_stay(guest, listing, check_in=10), request_stay(guest, listing, check_in=20)


def test_an_accept_waiting_while_the_host_texts_stop_to_a_proxy_does_not_offer_the_next(
    host, guest, two_requests, texts_the_proxy
):
    first, second = two_requests
    accepted_while(lambda: texts_the_proxy("STOP"), host, first)

    assert is_opted_out(host.phone_number)
    assert not OutstandingRequest.objects.exists()
    assert not sms_to(host, reservation=second).exists()
    assert sms_to(guest, reservation=first, body__contains="confirmed").exists()


def test_an_accept_waiting_while_the_host_texts_start_to_a_proxy_offers_the_next(
    host, two_requests, texts_the_proxy
):
    first, second = two_requests
    texts_the_proxy("STOP")
    accepted_while(lambda: texts_the_proxy("START"), host, first)

    assert not is_opted_out(host.phone_number)
    assert OutstandingRequest.objects.get(host=host).reservation == second
    (offer,) = sms_to(host, reservation=second).values_list("body", flat=True)
    assert offer.startswith("You have a new reservation request")


def test_a_booking_waiting_while_the_host_texts_stop_to_a_proxy_does_not_text_them(
    host, guest, listing, proxy_numbers, texts_the_proxy
):
    # STOP belongs to the number: it is heeded on a proxy the host has no conversation on.
    outcome = waited_while(
        lambda: texts_the_proxy("STOP"),
        lambda: services.request_stay(
            guest=guest,
            property=Property(pk=listing.pk),
            check_in=days_from_now(10),
            check_out=days_from_now(12),
            guests=1,
            message="hello",
        ),
    )

    assert isinstance(outcome, Reservation)
    assert outcome.status == Status.PENDING
    assert is_opted_out(host.phone_number)
    assert not OutstandingRequest.objects.exists()
    assert not sms_to(host).exists()
