from datetime import datetime

from django.db import transaction

from reservations.models import Reservation

from .asking import link_is_open
from .ending import end_request, lock_request
from .errors import NotPending, OverlapsConfirmedStay
from .queries import confirmed_stays_overlapping

Status = Reservation.Status
Channel = Reservation.Channel


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


def decide_by_link(
    *, reservation: Reservation, accepted: bool, now: datetime | None = None
) -> Reservation:
    """Decide the request a host's decision link names, while the link is open.

    Raises NotPending once the request has ended or the host's time to answer ran out.
    """
    if not link_is_open(reservation, now=now):
        raise NotPending
    return decide_reservation(reservation=reservation, accepted=accepted, via=Channel.LINK)
