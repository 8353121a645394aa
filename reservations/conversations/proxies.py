"""Proxy numbers: which conversation gets one, which conversation a number and a person name,
and when a conversation closes and frees its number."""

import logging
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.texting import text_person
from airtng.messaging.opt_outs import e164
from reservations.models import Reservation

from . import texts
from .models import Conversation, ProxySeat

logger = logging.getLogger(__name__)

CLOSES_AFTER_CHECK_OUT = timedelta(days=7)
OPEN_STATUSES = (Reservation.Status.PENDING, Reservation.Status.CONFIRMED)


def proxy_pool() -> list[str]:
    """TWILIO_PROXY_NUMBERS, as Twilio writes them, in the operator's order."""
    return list(dict.fromkeys(e164(number) for number in settings.TWILIO_PROXY_NUMBERS))


def is_proxy_number(number) -> bool:
    return bool(number and settings.TWILIO_PROXY_NUMBERS) and e164(number) in proxy_pool()


def closes_on(reservation: Reservation) -> date:
    """The day a stay's conversation closes: 7 days after check-out."""
    return reservation.check_out + CLOSES_AFTER_CHECK_OUT


def is_open(reservation: Reservation, *, today: date | None = None) -> bool:
    """Open from the request on, until the request ends without a stay or 7 days after check-out."""
    today = today or timezone.localdate()
    return reservation.status in OPEN_STATUSES and today < closes_on(reservation)


def other_person(reservation: Reservation, person: User) -> User:
    return reservation.property.host if person.pk == reservation.guest_id else reservation.guest


def open_conversation(reservation: Reservation, *, now: datetime | None = None) -> Conversation:
    """A new request's conversation; with TWILIO_PROXY_NUMBERS set, with a proxy number if the
    pool can serve the pair. Call it in the transaction that records the request."""
    conversation, _ = Conversation.objects.get_or_create(
        reservation=reservation, defaults={"created_at": now or timezone.now()}
    )
    if proxy_pool() and not conversation.proxy_number:
        give_proxy(conversation, now=now)
    return conversation


def give_proxy(conversation: Conversation, *, now: datetime | None = None) -> str | None:
    """Give the conversation a number of the pool that neither of its people holds elsewhere.

    The seats' unique constraint is the last word: a number another transaction is taking
    for one of the two fails to insert (on PostgreSQL, once that transaction commits) and the
    next number is tried. Seats are inserted in one order (by person) so that two allocations
    sharing both people cannot deadlock. Returns the number, or None when the pool is used up.
    """
    reservation = conversation.reservation
    people = sorted({reservation.guest_id, reservation.property.host_id})
    release_finished(person_ids=people, today=timezone.localdate(now))
    held = set(
        ProxySeat.objects.filter(person_id__in=people).values_list("proxy_number", flat=True)
    )
    for number in proxy_pool():
        if number in held:
            continue
        try:
            with transaction.atomic():
                ProxySeat.objects.bulk_create(
                    [
                        ProxySeat(conversation=conversation, person_id=person, proxy_number=number)
                        for person in people
                    ]
                )
        except IntegrityError:
            continue  # taken for one of the two since we read it
        conversation.proxy_number = number
        Conversation.objects.filter(pk=conversation.pk).update(proxy_number=number)
        return number
    logger.warning(
        "Reservation %s has no proxy number: all %d of TWILIO_PROXY_NUMBERS are in use by "
        "its guest's or host's other open conversations",
        reservation.pk,
        len(proxy_pool()),
    )
    return None


def close_conversation(reservation: Reservation, *, now: datetime | None = None) -> bool:
    """Close the reservation's conversation and free its proxy number; True if it was open.

    Both people are told, from the proxy number, that it no longer reaches the other. Call it
    in a transaction: the conditional UPDATE makes one caller the one who tells.
    """
    closed = Conversation.objects.filter(pk=reservation.pk, closed_at__isnull=True).update(
        closed_at=now or timezone.now()
    )
    if not closed:
        return False
    ProxySeat.objects.filter(conversation_id=reservation.pk).delete()
    proxy = Conversation.objects.values_list("proxy_number", flat=True).get(pk=reservation.pk)
    if proxy:
        for person in (reservation.guest, reservation.property.host):
            tell_closed(person, reservation=reservation, proxy=proxy)
    return True


def tell_closed(person: User, *, reservation: Reservation, proxy: str) -> None:
    if not person.phone_verified:
        return
    # The number in the person's phone stops reaching the other: say so in its own thread.
    text_person(
        person,
        partial(texts.conversation_ends, other_person(reservation, person), reservation),
        reservation=reservation,
        from_number=proxy,
    )


def finished(*, today: date) -> Q:
    """Conversations whose request ended without a stay, or whose stay ended 7 days ago."""
    return ~Q(reservation__status__in=OPEN_STATUSES) | Q(
        reservation__check_out__lte=today - CLOSES_AFTER_CHECK_OUT
    )


def release_finished(*, person_ids=None, today: date | None = None) -> int:
    """Close the open conversations (of `person_ids`, or all) that are over by now."""
    today = today or timezone.localdate()
    due = Conversation.objects.filter(finished(today=today), closed_at__isnull=True)
    if person_ids is not None:
        due = due.filter(
            Q(reservation__guest_id__in=person_ids)
            | Q(reservation__property__host_id__in=person_ids)
        )
    closed = 0
    due = due.select_related("reservation__guest", "reservation__property__host")
    for conversation in due[:500]:
        with transaction.atomic():
            closed += close_conversation(conversation.reservation)
    return closed


def close_finished_conversations(*, now: datetime | None = None) -> int:
    """The sweep's part: close every conversation that is over; give waiting ones a number."""
    closed = release_finished(today=timezone.localdate(now))
    if proxy_pool():
        waiting = (
            Conversation.objects.filter(closed_at__isnull=True, proxy_number="")
            .exclude(finished(today=timezone.localdate(now)))
            .select_related("reservation__property")
        )
        for conversation in waiting[:100]:
            with transaction.atomic():
                give_proxy(conversation, now=now)
    return closed


def seat_of(person: User | None, proxy_number: str) -> ProxySeat | None:
    """The open conversation in which `person` texts or calls `proxy_number`, if any.

    A conversation whose time has passed but which no sweep has closed yet is closed here.
    """
    if person is None:
        return None
    seat = (
        ProxySeat.objects.filter(person=person, proxy_number=e164(proxy_number))
        .select_related(
            "conversation__reservation__guest", "conversation__reservation__property__host"
        )
        .first()
    )
    if seat is None:
        return None
    if not is_open(seat.conversation.reservation):
        close_conversation(seat.conversation.reservation)
        return None
    return seat


def had_conversation(person: User | None, proxy_number: str) -> bool:
    """Whether `person` once talked through `proxy_number`, in a conversation since closed."""
    if person is None:
        return False
    return Conversation.objects.filter(
        Q(reservation__guest=person) | Q(reservation__property__host=person),
        proxy_number=e164(proxy_number),
    ).exists()


def conversations_of(person: User | None) -> list[tuple[str, Conversation]]:
    """The person's open conversations on proxy numbers, as (number, conversation)."""
    if person is None:
        return []
    seats = (
        ProxySeat.objects.filter(person=person)
        .select_related(
            "conversation__reservation__guest", "conversation__reservation__property__host"
        )
        .order_by("proxy_number")
    )
    return [(seat.proxy_number, seat.conversation) for seat in seats]
