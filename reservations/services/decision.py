from datetime import datetime

from django.db import transaction

from reservations.models import Reservation

from .asking import link_is_open
from .ending import end_request, lock_request
from .errors import NotPending, OverlapsConfirmedStay

Status = Reservation.Status
Channel = Reservation.Channel


def decide_reservation(
    *, reservation: Reservation, accepted: bool, via: Reservation.Channel, locked: bool = False
) -> Reservation:
    """Confirm or reject a pending request, once; every channel decides through here.

    The guest is texted the outcome, overlapping requests are declined, and the host is
    offered their next request. Raises NotPending if it had already ended, and
    OverlapsConfirmedStay if confirming it would double-book the property. `locked` says
    that `reservation` is what lock_request (or lock_offer) returned in this transaction.
    """
    # A refusal is raised once out of the block: it wrote nothing, so it need not cost the
    # caller's transaction a savepoint.
    with transaction.atomic(savepoint=False):
        if not locked:
            reservation = lock_request(reservation)
        refusal = refusal_to_decide(reservation, accepted=accepted)
        if refusal is None:
            status = Status.CONFIRMED if accepted else Status.REJECTED
            end_request(request=reservation, status=status, via=via)
    if refusal is not None:
        raise refusal
    return reservation


def refusal_to_decide(reservation: Reservation, *, accepted: bool) -> Exception | None:
    """Why the locked `reservation` cannot be decided so, if it cannot."""
    if reservation.status != Status.PENDING:
        return NotPending()
    if accepted and reservation.overlaps_a_stay:
        return OverlapsConfirmedStay()
    return None


def decide_by_link(
    *, reservation: Reservation, accepted: bool, now: datetime | None = None
) -> Reservation:
    """Decide the request a host's decision link names, while the link is open.

    Raises NotPending once the request has ended or the host's time to answer ran out.
    """
    if not link_is_open(reservation, now=now):
        raise NotPending
    return decide_reservation(reservation=reservation, accepted=accepted, via=Channel.LINK)
