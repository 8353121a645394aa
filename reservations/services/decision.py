from django.db import IntegrityError, transaction
from django.utils import timezone

from reservations.models import Reservation

from .errors import NotPending, OverlapsConfirmedStay
from .host_sms import offer_next_request, text_guest_outcome, withdraw_offer
from .queries import confirmed_stays_overlapping

Status = Reservation.Status


def decide_reservation(
    *, reservation: Reservation, accepted: bool, via: Reservation.Channel
) -> Reservation:
    """Confirm or reject a pending request, once; every channel decides through here.

    The guest is texted the outcome and the host is offered their next request. Raises
    NotPending if it was already decided or cancelled, and OverlapsConfirmedStay if
    confirming it would double-book the property.
    """
    with transaction.atomic():
        reservation = (
            Reservation.objects.select_for_update(of=("self",))
            .select_related("property__host", "guest")
            .get(pk=reservation.pk)
        )
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
        reservation.status = Status.CONFIRMED if accepted else Status.REJECTED
        reservation.decided_via = via
        reservation.decided_at = timezone.now()
        try:
            # The check above is a friendly answer; the database constraint is the last
            # word when two accepts of overlapping requests race.
            with transaction.atomic():
                reservation.save(update_fields=["status", "decided_via", "decided_at"])
        except IntegrityError:
            raise OverlapsConfirmedStay from None
        text_guest_outcome(reservation, accepted=accepted)
        if withdraw_offer(reservation):
            offer_next_request(reservation.property.host)
    return reservation
