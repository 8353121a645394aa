"""Texting a host about their requests: one at a time, the oldest first."""

from django.db import IntegrityError, transaction

from accounts.models import User
from airtng.messaging.services import queue_sms
from reservations import texts
from reservations.models import OutstandingRequest, Reservation

from .queries import pending_requests_for


def offer_next_request(host: User) -> Reservation | None:
    """Text the host about their oldest pending request, unless one awaits their reply.

    Returns the request offered. Call inside the transaction that changed the requests.
    """
    if not host.can_be_texted or OutstandingRequest.objects.filter(host=host).exists():
        return None
    oldest = pending_requests_for(host).select_related("guest", "property").first()
    if oldest is None:
        return None
    try:
        with transaction.atomic():
            OutstandingRequest.objects.create(host=host, reservation=oldest)
    except IntegrityError:
        # A concurrent transaction offered the host a request first; theirs stands.
        return None
    queue_sms(to=host.phone_number, body=texts.new_request(oldest), user=host, reservation=oldest)
    return oldest


def withdraw_offer(reservation: Reservation) -> bool:
    """Forget that the host was asked about `reservation`; True if they had been."""
    deleted, _ = OutstandingRequest.objects.filter(reservation=reservation).delete()
    return bool(deleted)


def outstanding_offer(host: User) -> OutstandingRequest | None:
    return (
        OutstandingRequest.objects.filter(host=host)
        .select_related("reservation__guest", "reservation__property")
        .first()
    )


def outstanding_request(host: User) -> Reservation | None:
    """The request the host was last texted about and has not answered."""
    offer = outstanding_offer(host)
    return offer.reservation if offer else None


def text_guest_outcome(reservation: Reservation, *, accepted: bool) -> None:
    guest = reservation.guest
    if guest.can_be_texted:
        queue_sms(
            to=guest.phone_number,
            body=texts.guest_outcome(reservation, accepted),
            user=guest,
            reservation=reservation,
        )
