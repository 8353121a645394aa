"""Texting a host about their requests: one at a time, the oldest first."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from airtng.messaging.services import queue_sms
from reservations import texts
from reservations.models import OutstandingRequest, Reservation, reply_window

from .queries import pending_requests_for


def lock_host(host_id: int) -> User:
    """Lock the host's row: "is someone offered?" is asked and answered by one at a time.

    Every path that offers, ends or creates a host's request takes this lock first, so a
    request booked while another is being decided is seen by one of the two.
    """
    return User.objects.select_for_update().get(pk=host_id)


def offer_next_request(host: User, *, now: datetime | None = None) -> Reservation | None:
    """Text the host about their oldest pending request, unless one awaits their reply.

    A request whose reply window has run out is not offered: it is about to expire. Returns
    the request offered. Takes the host's lock; call it in the transaction that changed the
    requests.
    """
    now = now or timezone.now()
    answerable_since = now - reply_window()
    with transaction.atomic(savepoint=False):
        host = lock_host(host.pk)
        if not host.can_be_texted or OutstandingRequest.objects.filter(host=host).exists():
            return None
        oldest = (
            pending_requests_for(host)
            .filter(created_at__gt=answerable_since)
            .select_related("guest", "property")
            .first()
        )
        if oldest is None:
            return None
        message = queue_sms(
            to=host.phone_number, body=texts.new_request(oldest), user=host, reservation=oldest
        )
        OutstandingRequest.objects.create(
            host=host, reservation=oldest, message=message, offered_at=now
        )
    return oldest


def withdraw_offer(reservation: Reservation) -> bool:
    """Forget that the host was asked about `reservation`; True if they had been."""
    deleted, _ = OutstandingRequest.objects.filter(reservation=reservation).delete()
    return bool(deleted)


def outstanding_offer(host: User) -> OutstandingRequest | None:
    return (
        OutstandingRequest.objects.filter(host=host)
        .select_related("reservation__guest", "reservation__property", "message")
        .first()
    )


def outstanding_request(host: User) -> Reservation | None:
    """The request the host was last texted about and has not answered."""
    offer = outstanding_offer(host)
    return offer.reservation if offer else None


def text(user: User, body: str, reservation: Reservation) -> None:
    if user.can_be_texted:
        queue_sms(to=user.phone_number, body=body, user=user, reservation=reservation)
