from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from properties.models import Property
from reservations.models import MAX_MESSAGE_LENGTH, MAX_NIGHTS, Reservation

from .errors import (
    AlreadyBooked,
    CannotCancel,
    CheckInNotInFuture,
    CheckOutNotAfterCheckIn,
    GuestPhoneUnverified,
    MessageMissing,
    MessageTooLong,
    NoGuests,
    OwnProperty,
    StayTooLong,
    TooManyGuests,
)
from .host_sms import offer_next_request, withdraw_offer
from .queries import confirmed_stays_overlapping


def check_stay(
    *,
    guest: User,
    property: Property,
    check_in: date,
    check_out: date,
    guests: int,
    message: str,
) -> None:
    """Raise the ReservationError that refuses this stay, if one does."""
    if check_in <= timezone.localdate():
        raise CheckInNotInFuture
    if check_out <= check_in:
        raise CheckOutNotAfterCheckIn
    if (check_out - check_in).days > MAX_NIGHTS:
        raise StayTooLong
    if guests < 1:
        raise NoGuests
    if guests > property.max_guests:
        raise TooManyGuests(max_guests=property.max_guests)
    if not message.strip():
        raise MessageMissing
    if len(message) > MAX_MESSAGE_LENGTH:
        raise MessageTooLong
    if guest.pk == property.host_id:
        raise OwnProperty
    if not guest.phone_verified:
        raise GuestPhoneUnverified
    if confirmed_stays_overlapping(
        property=property, check_in=check_in, check_out=check_out
    ).exists():
        raise AlreadyBooked


@transaction.atomic
def request_stay(
    *,
    guest: User,
    property: Property,
    check_in: date,
    check_out: date,
    guests: int,
    message: str,
) -> Reservation:
    """Record a pending request, or raise the ReservationError that refuses it.

    Saving it texts the host if they have no other request to answer (reservations.signals).
    """
    check_stay(
        guest=guest,
        property=property,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        message=message,
    )
    return Reservation.objects.create(
        guest=guest,
        property=property,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        message=message,
    )


def cancel_reservation(*, reservation: Reservation, guest: User) -> Reservation:
    """Let the guest withdraw a pending or confirmed stay before it starts.

    If the host was texted about it, they are texted about their next request instead.
    """
    with transaction.atomic():
        reservation = Reservation.objects.select_for_update().get(pk=reservation.pk, guest=guest)
        if not reservation.can_cancel():
            raise CannotCancel
        reservation.status = Reservation.Status.CANCELLED
        reservation.decided_at = timezone.now()
        reservation.save(update_fields=["status", "decided_at"])
        if withdraw_offer(reservation):
            offer_next_request(reservation.property.host)
    return reservation
