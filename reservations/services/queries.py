"""Reads that several views and services share."""

from datetime import date

from django.db.models import Case, IntegerField, QuerySet, Value, When

from accounts.models import User
from properties.models import Property
from reservations.models import Reservation

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
