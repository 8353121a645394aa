"""What a host does with a listing as a whole: withdraw it, or delete it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from properties.models import Property
from reservations.models import Reservation
from reservations.services import (
    DeclineReason,
    ReservationError,
    decline_pending,
    lock_host,
    offer_next_request,
)


class HasFutureStays(ReservationError):
    message = _(
        "This place has confirmed stays to come, so it cannot be deleted. "
        "You can withdraw it instead: it is hidden and takes no new requests."
    )


def has_future_stays(listing: Property) -> bool:
    return listing.reservations.filter(
        status=Reservation.Status.CONFIRMED, check_out__gt=timezone.localdate()
    ).exists()


def withdraw_listing(*, listing: Property) -> int:
    """Hide the listing and decline its pending requests, texting their guests.

    Confirmed stays are kept. Returns how many requests were declined.
    """
    with transaction.atomic():
        host = lock_host(listing.host_id)
        Property.objects.filter(pk=listing.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        declined = decline_pending(listing.reservations.all(), reason=DeclineReason.WITHDRAWN)
        offer_next_request(host)
    return declined


def delete_listing(*, listing: Property) -> bool:
    """Delete a listing no one ever asked for; withdraw one whose reservations are history.

    Returns True if the row was deleted. Raises HasFutureStays.
    """
    with transaction.atomic():
        lock_host(listing.host_id)
        if has_future_stays(listing):
            raise HasFutureStays
        if listing.reservations.exists():
            withdraw_listing(listing=listing)
            return False
        listing.delete()
    return True
