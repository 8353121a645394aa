"""A host's STOP or START is heeded by whatever waited for the host's lock while it was sent.

On PostgreSQL (SQLite serializes writers): a statement that waited for a row lock reads from
the snapshot taken before the wait, so the opt-out a host's SMS changed under their lock
must be read after it.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from airtng.messaging.opt_outs import is_opted_out
from reservations.models import OutstandingRequest, Reservation
from tests.conftest import days_from_now, signed_in, sms_to
from tests.row_locks import accepted_while, waited_while

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database with concurrent writers"
    ),
    pytest.mark.django_db(transaction=True),
]

Status = Reservation.Status
INCOMING = "/reservations/incoming"
_sids = iter(range(10**6))


@pytest.fixture
def texts(twilio_post, host):
    """The host's SMS to Airtng's number, signed as Twilio would."""

    def send(body):
        response = twilio_post(
            INCOMING,
            {
                "MessageSid": f"SM{next(_sids):032d}",
                "AccountSid": "AC" + "0" * 32,
                "From": str(host.phone_number),
                "To": "+15005550006",
                "Body": body,
            },
        )
        assert response.status_code == 200
        return response

    return send


@pytest.fixture
def two_requests(listing, guest, make_reservation):
    """Two pending requests for the host, on nights that do not overlap: the first offered."""
    first = make_reservation(
        listing, guest, check_in=days_from_now(10), check_out=days_from_now(12)
    )
    second = make_reservation(
        listing, guest, check_in=days_from_now(20), check_out=days_from_now(22)
    )
    return first, second


def test_an_accept_on_the_web_waiting_while_the_host_texts_stop_does_not_text_them(
    host, guest, two_requests, texts
):
    first, second = two_requests
    accepted_while(lambda: texts("STOP"), host, first)

    assert is_opted_out(host.phone_number)
    assert not OutstandingRequest.objects.exists()
    assert not sms_to(host, reservation=second).exists()
    assert sms_to(guest, reservation=first, body__contains="confirmed").exists()


def test_an_accept_on_the_web_waiting_while_the_host_texts_start_offers_them_the_next(
    host, two_requests, texts
):
    first, second = two_requests
    texts("STOP")
    accepted_while(lambda: texts("START"), host, first)

    assert not is_opted_out(host.phone_number)
    assert OutstandingRequest.objects.get(host=host).reservation == second
    (offer,) = sms_to(host, reservation=second).values_list("body", flat=True)
    assert offer.startswith("You have a new reservation request")


def test_an_sms_accept_waiting_while_the_host_texts_stop_does_not_text_them(
    host, guest, two_requests, texts, run_worker
):
    first, second = two_requests
    run_worker()  # Twilio takes the SMS about the first request

    response = waited_while(lambda: texts("STOP"), lambda: texts("accept"))

    assert b"successfully confirmed" in response.content
    first.refresh_from_db()
    assert first.status == Status.CONFIRMED
    assert not OutstandingRequest.objects.exists()
    assert not sms_to(host, reservation=second).exists()


def test_a_cancel_waiting_while_the_host_texts_stop_does_not_text_them(
    host, guest, two_requests, texts
):
    first, second = two_requests
    offered = sms_to(host).count()
    web = signed_in(guest)

    response = waited_while(
        lambda: texts("STOP"), lambda: web.post(reverse("cancel_reservation", args=[first.pk]))
    )

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Status.CANCELLED
    assert not OutstandingRequest.objects.exists()
    # Neither told of the cancellation nor offered the next request.
    assert sms_to(host).count() == offered
    assert not sms_to(host, reservation=second).exists()


def test_the_sweep_waiting_while_the_host_texts_stop_does_not_text_them(
    host, guest, listing, texts
):
    # Requests no signal saw: the sweep offers the oldest to a host who can be texted.
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

    waited_while(lambda: texts("STOP"), lambda: call_command("sweep_requests", verbosity=0))

    assert is_opted_out(host.phone_number)
    assert not OutstandingRequest.objects.exists()
    assert not sms_to(host).exists()
