from datetime import date

from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from accounts.models import User
from properties.models import Property
from reservations.models import Reservation

from .errors import CannotCancel
from .host_sms import offer_next_request, withdraw_offer

Status = Reservation.Status


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
    """The host's pending requests, oldest first."""
    return Reservation.objects.filter(property__host=host, status=Status.PENDING).order_by(
        "created_at", "id"
    )


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
    """
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
        reservation.status = Status.CANCELLED
        reservation.decided_at = timezone.now()
        reservation.save(update_fields=["status", "decided_at"])
        if withdraw_offer(reservation):
            offer_next_request(reservation.property.host)
    return reservation
