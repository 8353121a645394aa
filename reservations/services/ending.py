"""Every way a request ends goes through here: confirm, reject, cancel, expire, decline.

One path sets the state, texts who must be told, withdraws the host's offer and offers them
their next request, all under the host's lock and in the caller's transaction.
"""

from datetime import datetime
from enum import Enum
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from airtng.messaging.models import OptOut
from airtng.messaging.outbox import sending_together
from reservations import texts
from reservations.conversations.proxies import close_conversation
from reservations.models import OutstandingRequest, Reservation

from .errors import OverlapsConfirmedStay
from .host_sms import host_opted_out, locked_hosts, offer_next_request, text, withdraw_offer
from .queries import overlapping

Status = Reservation.Status


class DeclineReason(Enum):
    OVERLAP = "overlap"  # another request for those nights was just confirmed
    WITHDRAWN = "withdrawn"  # the host withdrew the listing


def lock_request(reservation: Reservation) -> Reservation:
    """Lock the request's host, then the request; the same order on every path.

    The request's property carries the locked host, and both people know whether their
    number opted out, read after the lock, so that texting them costs no further query.
    """
    host = locked_hosts().get(properties__reservations=reservation.pk)
    return with_host(locked_requests().get(pk=reservation.pk), host)


def lock_offer(host: User) -> OutstandingRequest | None:
    """lock_request() for the request `host` was offered, the host locked by lock_host."""
    request = (
        locked_requests().filter(outstanding__host=host).select_related("outstanding__message")
    )
    request = request.first()
    return with_host(request, host).outstanding if request else None


def locked_requests():
    """Requests locked after their host, with what ending them reads, read in the same query.

    Read after the host's lock, which every path that ends a request holds, so they are
    current: whether the guest and the host opted out (the host's STOP or START changes it
    under the lock), and whether a confirmed stay or a pending request overlaps the
    request's nights.
    """
    others_overlapping = (
        Reservation.objects.filter(
            overlapping(check_in=OuterRef("check_in"), check_out=OuterRef("check_out")),
            property=OuterRef("property_id"),
        )
        .exclude(pk=OuterRef("pk"))
        .values("pk")
    )
    guest_opted_out = OptOut.objects.filter(phone_number=OuterRef("guest__phone_number"))
    return (
        Reservation.objects.select_for_update(of=("self",))
        .select_related("property", "guest")
        .annotate(
            guest_opted_out=Exists(guest_opted_out),
            host_opted_out=host_opted_out("property__host"),
            overlaps_a_stay=Exists(others_overlapping.filter(status=Status.CONFIRMED)),
            overlaps_a_request=Exists(others_overlapping.filter(status=Status.PENDING)),
        )
    )


def with_host(request: Reservation, host: User) -> Reservation:
    request.property.host = host
    host.opted_out = request.host_opted_out
    request.guest.opted_out = request.guest_opted_out
    return request


def end_request(
    *,
    request: Reservation,
    status: Status,
    via: str = "",
    reason: DeclineReason | None = None,
    now: datetime | None = None,
) -> Reservation:
    """End a request locked by lock_request; tell who must be told; offer the host's next.

    Confirming declines the pending requests that overlap it. Raises OverlapsConfirmedStay
    if the database refuses the confirmation.
    """
    with transaction.atomic(savepoint=False), sending_together():
        close(request, status=status, via=via, reason=reason, now=now)
        if status == Status.CONFIRMED and getattr(request, "overlaps_a_request", True):
            decline_pending(
                request.property.reservations.filter(
                    overlapping(check_in=request.check_in, check_out=request.check_out)
                ).exclude(pk=request.pk),
                reason=DeclineReason.OVERLAP,
            )
        offer_next_request(request.property.host, now=now, locked=True)
    return request


def decline_pending(requests, *, reason: DeclineReason) -> int:
    """Decline the pending requests among `requests`, whose host the caller has locked."""
    declined = 0
    pending = requests.filter(status=Status.PENDING).select_for_update(of=("self",))
    for request in pending.select_related("property__host", "guest"):
        close(request, status=Status.DECLINED, reason=reason)
        declined += 1
    return declined


def close(request: Reservation, *, status: Status, via: str = "", reason=None, now=None) -> None:
    was_confirmed = request.status == Status.CONFIRMED
    request.status = status
    request.decided_via = via
    request.decided_at = now or timezone.now()
    try:
        request.save(update_fields=["status", "decided_via", "decided_at"])
    except IntegrityError:
        # The caller's check, under the host's lock, is the friendly answer; the database
        # constraint is the last word if overlapping accepts ever race. No savepoint: the
        # whole transaction is rolled back (end_request's atomic block marks it).
        if status == Status.CONFIRMED:
            raise OverlapsConfirmedStay from None
        raise
    was_offered = withdraw_offer(request)
    if status != Status.CONFIRMED:
        # The request ended without a stay: its proxy number is free for other pairs.
        close_conversation(request, now=now)
    tell(request, was_confirmed=was_confirmed, was_offered=was_offered, reason=reason)


def tell(request: Reservation, *, was_confirmed: bool, was_offered: bool, reason) -> None:
    guest, host = request.guest, request.property.host
    match request.status:
        case Status.CONFIRMED | Status.REJECTED:
            accepted = request.status == Status.CONFIRMED
            text(guest, partial(texts.guest_outcome, request, accepted), request)
        case Status.EXPIRED:
            text(guest, partial(texts.guest_expired, request), request)
        case Status.DECLINED if reason == DeclineReason.WITHDRAWN:
            text(guest, partial(texts.guest_declined_withdrawn, request), request)
        case Status.DECLINED:
            text(guest, partial(texts.guest_declined_overlap, request), request)
        case Status.CANCELLED if was_confirmed or was_offered:
            write = partial(texts.host_guest_cancelled, request, was_confirmed=was_confirmed)
            text(host, write, request)
