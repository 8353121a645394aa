from datetime import date
from functools import partial

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from airtng.messaging.models import OptOut
from airtng.messaging.outbox import sending_together
from properties.models import Property
from reservations import texts
from reservations.conversations.proxies import open_conversation, proxy_pool
from reservations.models import (
    MAX_MESSAGE_LENGTH,
    MAX_NIGHTS,
    OutstandingRequest,
    Reservation,
    reply_window,
)

from .ending import end_request, lock_request
from .errors import (
    AlreadyBooked,
    CannotCancel,
    CheckInNotInFuture,
    CheckOutNotAfterCheckIn,
    GuestPhoneUnverified,
    ListingWithdrawn,
    MessageMissing,
    MessageTooLong,
    NoGuests,
    OwnProperty,
    StayTooLong,
    TooManyGuests,
)
from .host_sms import lock_listing, offer_next_request, text
from .queries import confirmed_stays_overlapping, pending_requests_for
from .request_limits import check_request_limit, requests_sent_today


def check_dates(*, check_in: date, check_out: date) -> None:
    """Raise the ReservationError that refuses these dates for any stay, if one does."""
    if check_in <= timezone.localdate():
        raise CheckInNotInFuture
    if check_out <= check_in:
        raise CheckOutNotAfterCheckIn
    if (check_out - check_in).days > MAX_NIGHTS:
        raise StayTooLong


def check_stay(
    *,
    guest: User,
    property: Property,
    check_in: date,
    check_out: date,
    guests: int,
    message: str,
    already_booked: bool | None = None,
) -> None:
    """Raise the ReservationError that refuses this stay, if one does.

    `already_booked`, if the caller read it, says whether a confirmed stay overlaps.
    """
    if property.withdrawn_at is not None:
        raise ListingWithdrawn
    check_dates(check_in=check_in, check_out=check_out)
    if guests < 1:
        raise NoGuests
    if guests > property.max_guests:
        raise TooManyGuests(max_guests=property.max_guests)
    if not message.strip():
        raise MessageMissing
    if len(message) > MAX_MESSAGE_LENGTH:
        raise MessageTooLong
    if guest.pk == property.host_id:
        raise OwnProperty
    if not guest.phone_verified:
        raise GuestPhoneUnverified
    if already_booked is None:
        already_booked = confirmed_stays_overlapping(
            property=property, check_in=check_in, check_out=check_out
        ).exists()
    if already_booked:
        raise AlreadyBooked


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
    """Record a pending request, or raise the ReservationError that refuses it.

    The listing is read again with its host's lock (Property.DoesNotExist if it is gone), and
    the request returned carries it.

    Saving it texts the guest when the host must answer by, and the host if they have no
    other request to answer (reservations.signals). TooManyRequests when the guest has asked
    this host too often today.
    """
    # Taken before the insert, so that the database's clock orders a host's requests as they
    # really arrived. What the rules read is read under it, the listing and opt-outs included.
    rules = what_the_rules_read(guest=guest, check_in=check_in, check_out=check_out)
    if connection.features.has_select_for_update:
        # A statement that waited for a PostgreSQL row lock reads from the snapshot taken
        # before the wait: what the rules read must follow the lock, in a query of its own,
        # which sees what the host's transaction committed under it (Property.DoesNotExist
        # if it deleted the listing).
        property = lock_listing(property.pk)
        read = Property.objects.filter(pk=property.pk).values(*LISTING_READ, **rules).get()
        for name in LISTING_READ:
            setattr(property, name, read[name])
    else:
        # No row locks, and nothing to wait for inside a statement: BEGIN IMMEDIATE (settings)
        # has made this the only writing transaction, so the listing's query reads them too.
        property = lock_listing(property.pk, columns=rules)
        read = {name: getattr(property, name) for name in RULES_READ}
    property.host.opted_out = read["host_opted_out"]
    guest.opted_out = read["guest_opted_out"]
    check_stay(
        guest=guest,
        property=property,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        message=message,
        already_booked=read["already_booked"],
    )
    check_request_limit(guest=guest, host=property.host, sent=read["sent_today"])
    reservation = Reservation(
        guest=guest,
        property=property,
        check_in=check_in,
        check_out=check_out,
        guests=guests,
        message=message,
    )
    # The signal's hand-off (request_received) need not take the lock a second time, nor ask
    # again what was read under it: a host offered a request is not offered this one, and
    # one with no other request waiting is offered this one.
    reservation.host_is_locked = True
    if read["host_offered"]:
        reservation.host_offer = "none"
    elif not read["host_waiting"]:
        reservation.host_offer = "this"
    reservation.save(force_insert=True)
    return reservation


# What the host's transactions change of the listing's row under the host's lock
# (withdraw_listing): read again after the lock, where it waits for it.
LISTING_READ = ("withdrawn_at",)
RULES_READ = (
    "already_booked",
    "sent_today",
    "host_offered",
    "host_waiting",
    "host_opted_out",
    "guest_opted_out",
)


def what_the_rules_read(*, guest: User, check_in: date, check_out: date) -> dict:
    """What the rules read besides the listing's row, as columns of a query of the listing.

    By name (RULES_READ): other requests, the host's offer, and whether the host's number and
    the guest's opted out (a host's STOP or START changes theirs under the host's lock).
    """
    listing, host = OuterRef("pk"), OuterRef("host_id")
    return {
        "already_booked": Exists(
            confirmed_stays_overlapping(property=listing, check_in=check_in, check_out=check_out)
        ),
        "sent_today": requests_sent_today(guest=guest, host=host),
        # Whom request_received offers: see request_stay.
        "host_offered": Exists(OutstandingRequest.objects.filter(host=host)),
        "host_waiting": Exists(
            pending_requests_for(host).filter(created_at__gt=timezone.now() - reply_window())
        ),
        "host_opted_out": Exists(
            OptOut.objects.filter(phone_number=OuterRef("host__phone_number"))
        ),
        "guest_opted_out": Exists(OptOut.objects.filter(phone_number=guest.phone_number)),
    }


def request_received(reservation: Reservation) -> None:
    """A new pending request: tell the guest when the host must answer by; offer the host.

    With proxy numbers, its conversation is given one.
    """
    with transaction.atomic(savepoint=False), sending_together():
        if proxy_pool():
            open_conversation(reservation)
        text(reservation.guest, partial(texts.request_sent, reservation), reservation)
        host = reservation.property.host
        match getattr(reservation, "host_offer", None):
            case "none":
                pass
            case "this":
                offer_next_request(host, locked=True, oldest=reservation)
            case _:
                locked = getattr(reservation, "host_is_locked", False)
                offer_next_request(host, locked=locked)


def cancel_reservation(*, reservation: Reservation, guest: User) -> Reservation:
    """Let the guest withdraw a pending or confirmed stay before it starts.

    The host is told if the stay was confirmed or they were asked about it, and is then
    texted about their next request.
    """
    with transaction.atomic():
        reservation = lock_request(reservation)
        if reservation.guest_id != guest.pk or not reservation.can_cancel():
            raise CannotCancel
        return end_request(request=reservation, status=Reservation.Status.CANCELLED)
