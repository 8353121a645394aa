"""Texting a host about their requests: one at a time, the oldest first."""

from datetime import datetime
from functools import partial

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User, verified_number_owner
from accounts.texting import Write, text_person
from airtng.messaging.models import OptOut
from airtng.messaging.outbox import write_queued_sms
from ivr.calls import queue_call
from properties.models import Property
from reservations import texts
from reservations.models import OutstandingRequest, Reservation, reply_window

from .asking import is_called, link_for
from .queries import pending_requests_for


def lock_host(host_id: int, *, guest: User | None = None) -> User:
    """Lock the host's row: "is someone offered?" is asked and answered by one at a time.

    Every path that offers, ends or creates a host's request takes this lock first, so a
    request booked while another is being decided is seen by one of the two. Whether the
    host's number opted out is not read with it (see locked_hosts); whether `guest`'s did
    is, if given.
    """
    hosts = locked_hosts()
    if guest is None:
        return hosts.get(pk=host_id)
    # Opt-outs are not written under this lock: the statement's snapshot is as good as later.
    guest_opted_out = OptOut.objects.filter(phone_number=guest.phone_number)
    host = hosts.annotate(guest_opted_out=Exists(guest_opted_out)).get(pk=host_id)
    guest.opted_out = host.guest_opted_out
    return host


def lock_listing(property_pk: int, *, columns: dict | None = None) -> Property:
    """The listing, read with lock_host() taken on its host in the same query.

    `columns` (expressions by name, OuterRef meaning the listing) are read in the same query,
    as its attributes. On PostgreSQL a statement that waited for the lock reads from the
    snapshot taken before the wait: what the host's transaction changed under the lock (the
    listing withdrawn or deleted, the host's STOP or START) must be read in a query after it.
    """
    return (
        Property.objects.select_related("host")
        .select_for_update(of=("host",))
        .annotate(**(columns or {}))
        .get(pk=property_pk)
    )


def lock_sender(from_number: str) -> User | None:
    """lock_host() for the user whose verified number sent an SMS, found in the same query."""
    return verified_number_owner(locked_hosts(), from_number)


def locked_hosts():
    """Hosts, locked; whether their number opted out is for the query after the lock.

    A host's STOP and START change it under this lock, and on PostgreSQL a statement that
    waited for the lock reads from the snapshot taken before the wait: what the lock's own
    query read of it may be stale. locked_requests() and offer_next_request() read it after.
    """
    return User.objects.select_for_update(of=("self",))


def host_opted_out(host: str) -> Exists:
    """Whether the number of the host (`host`, the path to them) opted out, as a column."""
    return Exists(OptOut.objects.filter(phone_number=OuterRef(f"{host}__phone_number")))


def offer_next_request(
    host: User,
    *,
    now: datetime | None = None,
    locked: bool = False,
    oldest: Reservation | None = None,
) -> Reservation | None:
    """Text the host about their oldest pending request, unless one awaits their reply.

    A request whose reply window has run out is not offered: it is about to expire. Returns
    the request offered. Takes the host's lock, unless `locked` says that `host` is what
    lock_host returned in this transaction; call it in the transaction that changed the
    requests. `oldest` (with `locked`) is that request, when the caller read under the lock
    that no other waits and none is offered, and whether the host opted out.
    """
    now = now or timezone.now()
    answerable_since = now - reply_window()
    with transaction.atomic(savepoint=False):
        if not locked:
            host = lock_host(host.pk)
        # Whether the host opted out, if the caller read it after the lock (see locked_hosts).
        if not host.phone_verified or getattr(host, "opted_out", False):
            return None
        if oldest is None or not locked:
            # Offers change only under the host's lock: "none yet" is asked in the same query,
            # and whether the host opted out, read after the lock.
            oldest = (
                pending_requests_for(host)
                .filter(created_at__gt=answerable_since)
                .exclude(Exists(OutstandingRequest.objects.filter(host=host)))
                .annotate(host_opted_out=host_opted_out("property__host"))
                .select_related("guest", "property")
                .first()
            )
            if oldest is not None:
                host.opted_out = oldest.host_opted_out
        if oldest is None or not host.can_be_texted:
            return None
        write = partial(texts.new_request, oldest, link=link_for(host, oldest))
        message = text_person(host, write, reservation=oldest)
        # The offer names its SMS: written once the SMS has its id, with its delivery.
        offer = OutstandingRequest(host=host, reservation=oldest, message=message, offered_at=now)
        write_queued_sms(along=[offer])
        if is_called(host):
            queue_call(to=host.phone_number, user=host, reservation=oldest)
    return oldest


def withdraw_offer(reservation: Reservation) -> bool:
    """Forget that the host was asked about `reservation`; True if they had been."""
    deleted, _ = OutstandingRequest.objects.filter(reservation=reservation).delete()
    return bool(deleted)


def outstanding_offer(host: User) -> OutstandingRequest | None:
    return (
        OutstandingRequest.objects.filter(host=host)
        .select_related("reservation__guest", "reservation__property", "message")
        .first()
    )


def outstanding_request(host: User) -> Reservation | None:
    """The request the host was last texted about and has not answered."""
    offer = outstanding_offer(host)
    return offer.reservation if offer else None


def text(user: User, write: Write, reservation: Reservation) -> None:
    """Text `user` about `reservation` unless they cannot be texted, in their language."""
    if user.can_be_texted:
        text_person(user, write, reservation=reservation)
