"""The web thread of a reservation: what the two wrote, and texting the one not reading it."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.texting import text_person
from airtng.twilio import twilio_url
from reservations.models import MAX_MESSAGE_LENGTH, Reservation

from . import texts
from .models import Conversation, ConversationMessage
from .proxies import is_open, other_person

# A person whose page asked for the thread this recently is reading it: no SMS.
ON_THE_PAGE = timedelta(seconds=30)


class ConversationError(Exception):
    message = _("That cannot be sent.")

    def __str__(self):
        return str(self.message)


class ConversationClosed(ConversationError):
    message = _("This conversation has ended.")


class EmptyMessage(ConversationError):
    message = _("Write a message first.")


class MessageTooLong(ConversationError):
    @property
    def message(self):
        return _("A message can be at most %(count)d characters.") % {"count": MAX_MESSAGE_LENGTH}


@dataclass(frozen=True)
class Said:
    id: str
    author: str
    mine: bool
    body: str
    at: datetime
    via: str


@dataclass(frozen=True)
class Thread:
    messages: list[Said]
    open: bool
    proxy_number: str
    other: User
    support_number: str


def thread_for(reservation: Reservation, *, reader: User) -> Thread:
    """The conversation as `reader` (its guest or host) sees it: the request's message first,
    then every message either wrote, newest last. `reservation` comes with guest and host."""
    guest = reservation.guest
    names = {guest.pk: guest.first_name, reservation.property.host_id: reservation.host.first_name}
    said = [
        Said(
            id="request",
            author=guest.first_name,
            mine=reader.pk == guest.pk,
            body=reservation.message,
            at=reservation.created_at,
            via=ConversationMessage.Via.WEB,
        )
    ]
    conversation = Conversation.objects.filter(reservation=reservation).first()
    if conversation is not None:
        said += [
            Said(
                id=str(message.pk),
                author=names.get(message.author_id, ""),
                mine=message.author_id == reader.pk,
                body=message.body,
                at=message.created_at,
                via=message.via,
            )
            for message in conversation.messages.all()
        ]
    return Thread(
        messages=said,
        open=is_open(reservation),
        proxy_number=conversation.proxy_number if conversation else "",
        other=other_person(reservation, reader),
        support_number=settings.TWILIO_PHONE_NUMBER,
    )


def mark_seen(reservation: Reservation, *, reader: User, now: datetime | None = None) -> None:
    """`reader` has the thread on their page now."""
    field = "guest_seen_at" if reader.pk == reservation.guest_id else "host_seen_at"
    now = now or timezone.now()
    if not Conversation.objects.filter(pk=reservation.pk).update(**{field: now}):
        Conversation.objects.get_or_create(reservation=reservation, defaults={field: now})


def is_on_the_page(conversation: Conversation, person: User, now: datetime) -> bool:
    guest_id = conversation.reservation.guest_id
    seen_at = conversation.guest_seen_at if person.pk == guest_id else conversation.host_seen_at
    return seen_at is not None and seen_at > now - ON_THE_PAGE


@transaction.atomic
def post_message(
    *, reservation: Reservation, author: User, body: str, now: datetime | None = None
) -> ConversationMessage:
    """Add `author`'s message to the thread; text the other person unless they are reading it.

    Raises ConversationError when the message is empty, too long, or the conversation ended.
    """
    now = now or timezone.now()
    body = body.strip()
    if not body:
        raise EmptyMessage
    if len(body) > MAX_MESSAGE_LENGTH:
        raise MessageTooLong
    if author.pk not in (reservation.guest_id, reservation.property.host_id):
        raise ConversationClosed
    if not is_open(reservation, today=timezone.localdate(now)):
        raise ConversationClosed
    conversation, _ = Conversation.objects.get_or_create(
        reservation=reservation, defaults={"created_at": now}
    )
    conversation.reservation = reservation
    said = ConversationMessage.objects.create(
        conversation=conversation, author=author, body=body, created_at=now
    )
    if not is_on_the_page(conversation, other_person(reservation, author), now):
        pass_on(said, reservation=reservation)
    return said


def pass_on(said: ConversationMessage, *, reservation: Reservation):
    """Text the other person what `said` says, from the proxy number; without one, only that
    there is a message, from Airtng's number (a reply there would reach no one)."""
    other = other_person(reservation, said.author)
    if not other.phone_verified:
        return None
    proxy = said.conversation.proxy_number
    if proxy:
        write = partial(texts.relayed, said.author, said.body)
    else:
        write = partial(
            texts.new_message_notice, said.author, reservation, link=page_link(reservation, other)
        )
    # An opted-out number is refused by the sending path itself, and the timeline shows it.
    return text_person(other, write, reservation=reservation, from_number=proxy or None)


def page_link(reservation: Reservation, reader: User) -> str:
    if not settings.PUBLIC_BASE_URL:
        return ""
    name = "trip" if reader.pk == reservation.guest_id else "host_request"
    return twilio_url(reverse(name, args=[reservation.pk]))


def read_thread(reservation: Reservation, *, reader: User, now: datetime | None = None) -> Thread:
    """The thread for `reader`'s page, noting that they are reading it."""
    mark_seen(reservation, reader=reader, now=now)
    return thread_for(reservation, reader=reader)
