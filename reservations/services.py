from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from properties.models import Property

from .models import Reservation

Status = Reservation.Status


class ReservationError(Exception):
    """A request the product refuses; `message` is fit to show the user."""

    message = _("That cannot be done.")

    def __str__(self):
        return str(self.message)


class NotPending(ReservationError):
    message = _("This request was already decided.")


class OverlapsConfirmedStay(ReservationError):
    message = _("Those dates overlap a confirmed stay at this property.")


class CannotCancel(ReservationError):
    message = _("Only a pending or confirmed stay that has not started can be cancelled.")


def confirmed_stays_overlapping(
    *, property: Property, check_in: date, check_out: date
) -> QuerySet[Reservation]:
    return Reservation.objects.filter(
        property=property,
        status=Status.CONFIRMED,
        check_in__lt=check_out,
        check_out__gt=check_in,
    )


def trips_for(guest: User) -> QuerySet[Reservation]:
    return guest.trips.select_related("property", "property__host").order_by("-check_in", "-id")


def requests_for_host(host: User) -> QuerySet[Reservation]:
    """Every reservation of the host's properties: pending first, then oldest first."""
    pending_first = Case(
        When(status=Status.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Reservation.objects.filter(property__host=host)
        .select_related("guest", "property")
        .order_by(pending_first, "created_at", "id")
    )


def pending_requests_for(host: User) -> QuerySet[Reservation]:
    return requests_for_host(host).filter(status=Status.PENDING)


def request_stay(
    *,
    guest: User,
    property: Property,
    check_in: date,
    check_out: date,
    guests: int,
    message: str,
) -> Reservation:
    """Record a pending request; the caller has validated the dates and guests."""
    return Reservation.objects.create(
        guest=guest,
        property=property,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        message=message,
    )


def decide_reservation(
    *, reservation: Reservation, accepted: bool, via: Reservation.Channel
) -> Reservation:
    """Confirm or reject a pending request, once; every channel decides through here.

    Raises NotPending if it was already decided or cancelled, and OverlapsConfirmedStay
    if confirming it would double-book the property.
    """
    with transaction.atomic():
        reservation = (
            Reservation.objects.select_for_update(of=("self",))
            .select_related("property", "guest")
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
    return reservation


def cancel_reservation(*, reservation: Reservation, guest: User) -> Reservation:
    """Let the guest withdraw a pending or confirmed stay before it starts."""
    with transaction.atomic():
        reservation = Reservation.objects.select_for_update().get(pk=reservation.pk, guest=guest)
        if not reservation.can_cancel():
            raise CannotCancel
        reservation.status = Status.CANCELLED
        reservation.decided_at = timezone.now()
        reservation.save(update_fields=["status", "decided_at"])
    return reservation
