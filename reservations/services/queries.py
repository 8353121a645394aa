"""Reads that several views and services share."""

from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from accounts.models import User
from airtng.messaging.models import OptOut
from properties.models import Property
from reservations.models import Reservation

Status = Reservation.Status


def overlapping(*, check_in, check_out) -> Q:
    """Stays that share a night with check_in–check_out: a check-out day is free to check in.

    The dates may be OuterRefs. The database's reservation_no_overlap says the same.
    """
    return Q(check_in__lt=check_out, check_out__gt=check_in)


def confirmed_stays_overlapping(*, property, check_in, check_out) -> QuerySet[Reservation]:
    """`property` is a listing or an OuterRef to one (a search's NOT EXISTS)."""
    return Reservation.objects.filter(
        overlapping(check_in=check_in, check_out=check_out),
        property=property,
        status=Status.CONFIRMED,
    )


def stays_and_requests_overlapping(
    *, property: Property, check_in: date, check_out: date
) -> QuerySet[Reservation]:
    """The listing's confirmed stays and pending requests over those nights, by check-in."""
    return (
        Reservation.objects.filter(
            overlapping(check_in=check_in, check_out=check_out),
            property=property,
            status__in=(Status.CONFIRMED, Status.PENDING),
        )
        .select_related("guest")
        .order_by("check_in", "id")
    )


def trips_for(guest: User) -> QuerySet[Reservation]:
    """The guest's reservations, latest stay first; each knows if its host can be texted."""
    return (
        guest.trips.select_related("property", "property__host")
        .annotate(host_can_be_texted=host_can_be_texted())
        .order_by("-check_in", "-id")
    )


def host_can_be_texted() -> ExpressionWrapper:
    """User.can_be_texted of a reservation's host, as a column."""
    opted_out = OptOut.objects.filter(phone_number=OuterRef("property__host__phone_number"))
    return ExpressionWrapper(
        Q(property__host__phone_verified=True) & ~Exists(opted_out), output_field=BooleanField()
    )


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
