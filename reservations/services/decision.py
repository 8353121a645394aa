from django.db import transaction

from reservations.models import Reservation

from .ending import end_request, lock_request
from .errors import NotPending, OverlapsConfirmedStay
from .queries import confirmed_stays_overlapping

Status = Reservation.Status


def decide_reservation(
    *, reservation: Reservation, accepted: bool, via: Reservation.Channel
) -> Reservation:
    """Confirm or reject a pending request, once; every channel decides through here.

    The guest is texted the outcome, overlapping requests are declined, and the host is
    offered their next request. Raises NotPending if it had already ended, and
    OverlapsConfirmedStay if confirming it would double-book the property.
    """
    with transaction.atomic():
        reservation = lock_request(reservation)
        if reservation.status != Status.PENDING:
            raise NotPending
        if (
            accepted
            and confirmed_stays_overlapping(
                property=reservation.property,
                check_in=reservation.check_in,
                check_out=reservation.check_out,
            ).exists()
        ):
            raise OverlapsConfirmedStay
        return end_request(
            request=reservation, status=Status.CONFIRMED if accepted else Status.REJECTED, via=via
        )
