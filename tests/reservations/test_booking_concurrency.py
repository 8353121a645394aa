"""A booking that waits for its host's lock sees what the host's transaction did under it.

On PostgreSQL (SQLite serializes writers): a statement that waited for a row lock reads from
the snapshot taken before the wait, so what the host changes under their lock must be read
after it.
"""

import pytest
from django.db import connection

from airtng.messaging.opt_outs import is_opted_out
from properties.models import Property
from properties.services import delete_listing, withdraw_listing
from reservations import services
from reservations.models import OutstandingRequest, Reservation
from tests.conftest import days_from_now, sms_to
from tests.row_locks import waited_while

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database with concurrent writers"
    ),
    pytest.mark.django_db(transaction=True),
]


def book(guest, listing_pk):
    # As the view asks: by the listing's key, read under the lock.
    return services.request_stay(
        guest=guest,
        property=Property(pk=listing_pk),
        check_in=days_from_now(10),
        check_out=days_from_now(12),
        guests=1,
        message="hello",
    )


def test_a_booking_waiting_while_its_listing_is_withdrawn_is_refused(host, guest, listing):
    outcome = waited_while(
        lambda: withdraw_listing(listing=listing), lambda: book(guest, listing.pk)
    )

    assert isinstance(outcome, services.ListingWithdrawn)
    assert str(outcome) == "This place is no longer offered."
    assert not Reservation.objects.exists()
    assert not OutstandingRequest.objects.exists()
    assert not sms_to(host).exists()


def test_a_booking_waiting_while_its_listing_is_deleted_finds_it_gone(host, guest, listing):
    listing_pk = listing.pk  # delete() forgets the instance's
    outcome = waited_while(lambda: delete_listing(listing=listing), lambda: book(guest, listing_pk))

    assert isinstance(outcome, Property.DoesNotExist)
    assert not Property.objects.exists()
    assert not Reservation.objects.exists()


def test_a_booking_waiting_while_the_host_texts_stop_does_not_text_them(host, guest, listing):
    def host_texts_stop():
        services.answer_host_sms(
            sid="SM" + "5" * 32, from_number=str(host.phone_number), body="STOP"
        )

    outcome = waited_while(host_texts_stop, lambda: book(guest, listing.pk))

    assert isinstance(outcome, Reservation)
    assert outcome.status == Reservation.Status.PENDING
    assert not outcome.property.host.can_be_texted
    assert is_opted_out(host.phone_number)
    assert not OutstandingRequest.objects.exists()
    assert not sms_to(host).exists()


def test_a_booking_waiting_while_the_host_texts_start_texts_them(host, guest, listing):
    services.answer_host_sms(sid="SM" + "5" * 32, from_number=str(host.phone_number), body="STOP")

    def host_texts_start():
        services.answer_host_sms(
            sid="SM" + "6" * 32, from_number=str(host.phone_number), body="START"
        )

    outcome = waited_while(host_texts_start, lambda: book(guest, listing.pk))

    assert isinstance(outcome, Reservation)
    assert outcome.property.host.can_be_texted
    assert OutstandingRequest.objects.get(host=host).reservation == outcome
    (offer,) = sms_to(host).values_list("body", flat=True)
    assert offer.startswith("You have a new reservation request")
