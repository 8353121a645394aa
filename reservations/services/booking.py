from datetime import date

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from properties.models import Property
from reservations.models import Reservation

from .errors import CannotCancel
from .host_sms import offer_next_request, withdraw_offer
from .request_limits import count_request


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
    """Record a pending request; the caller has validated the dates and guests.

    Saving it texts the host if they have no other request to answer (reservations.signals).
    Raises TooManyRequests when the guest has asked this host too often today.
    """
    count_request(guest=guest, host=property.host)
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
