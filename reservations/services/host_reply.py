"""An SMS to Airtng's number: a host answering their request, or a carrier keyword."""

import re
import string
import unicodedata
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.languages import speaking_to
from accounts.models import User
from airtng.messaging.models import Direction, Message, OptOut, Status
from airtng.messaging.opt_outs import opt_in, opt_out
from reservations import texts
from reservations.models import OutstandingRequest, Reservation

from .decision import decide_reservation
from .ending import lock_offer
from .errors import NotPending, OverlapsConfirmedStay, ReservationError
from .host_sms import lock_sender, offer_next_request

# ../shared/PRODUCT.md, "Words a host may reply" and "Languages": every word works for everyone.
ACCEPT_WORDS = {"accept", "accepted", "yes", "y", "confirm", "はい", "承諾", "承認", "ok"}
REJECT_WORDS = {"reject", "rejected", "no", "n", "decline", "いいえ", "拒否", "お断り"}
# Twilio's own opt-out keywords: Twilio confirms them to the sender itself.
TWILIO_STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}
TWILIO_START_WORDS = {"start", "unstop", "yes"}
# Ours in Japanese: Twilio does not know them, so Airtng confirms them itself.
STOP_WORDS = TWILIO_STOP_WORDS | {"停止"}
START_WORDS = TWILIO_START_WORDS | {"開始"}
HELP_WORDS = {"help", "info", "ヘルプ"}
# A host replying to a request that ended so is told what ended it, not "Sorry…".
ENDED_BY_SOMEONE_ELSE = {
    Reservation.Status.CANCELLED,
    Reservation.Status.EXPIRED,
    Reservation.Status.DECLINED,
}
MAX_STORED_BODY = 1600
# A Twilio SID is two letters and 32 hex digits; anything else cannot be one, nor fit the column.
TWILIO_SID = re.compile(r"[A-Za-z0-9]{2,64}")


# NFKC leaves these as they are: Japanese punctuation and brackets around a word.
SURROUNDING = string.punctuation + string.whitespace + "¡¿…“”‘’。、・「」『』【】〜"


def keyword(body: str) -> str:
    """The reply as one lower-case word: NFKC-normalised (ＹＥＳ is yes, ！ is !), trimmed,
    surrounding punctuation ignored."""
    return unicodedata.normalize("NFKC", body).strip(SURROUNDING).casefold()


def answer_host_sms(
    *, sid: str | None, from_number: str, body: str, received_at: datetime | None = None
) -> str | None:
    """Apply an inbound SMS, once per Twilio MessageSid, and return the reply to send.

    None means no reply (Twilio answers STOP and START itself).
    """
    # Taken before waiting for any lock: it tells which request the host could have seen.
    received_at = received_at or timezone.now()
    # Twilio's parameters reach here without NUL bytes (airtng.twilio.twilio_webhook).
    body = body[:MAX_STORED_BODY]
    from_number = from_number[:32]
    sid = sid if sid and TWILIO_SID.fullmatch(sid) else None
    for attempt in (1, 2):
        try:
            return apply_host_sms(
                sid=sid, from_number=from_number, body=body, received_at=received_at
            )
        except IntegrityError:
            # Twilio delivered this message before: answer as we did then, do nothing more.
            answered = Message.objects.filter(sid=sid).first() if sid else None
            if answered is None:
                raise
            return answered.reply or None
        except OverlapsConfirmedStay:
            # The database refused the confirmation and nothing of this reply was kept; asked
            # again, the check under the host's lock sees the stay that won.
            if attempt == 2:
                raise
    return None


def apply_host_sms(
    *, sid: str | None, from_number: str, body: str, received_at: datetime
) -> str | None:
    # No savepoint around the row: a MessageSid seen before rolls the whole reply back.
    with transaction.atomic():
        received = Message.objects.create(
            direction=Direction.INBOUND,
            sid=sid,
            to=settings.TWILIO_PHONE_NUMBER,
            from_number=from_number,
            body=body,
            status=Status.RECEIVED,
        )
        # One reply of a host at a time, so that two quick "yes" decide one request.
        sender = lock_sender(from_number)
        # Read under the lock, with its request locked for deciding.
        offer = lock_offer(sender) if sender else None
        received.user = sender
        # Whatever it says, the reply is about the request the host was texted about.
        received.reservation_id = offer.reservation_id if offer else None
        # The sender's language, or the country's of a number that belongs to no one.
        with speaking_to(sender, number=from_number):
            reply = reply_to(sender, offer, from_number, keyword(body), received_at)
        received.reply = reply or ""
        received.save(update_fields=["user", "reservation", "reply", "updated_at"])
    return received.reply or None


def heed_stop_or_start(word: str, *, from_number: str, sender: User | None) -> bool:
    """Opt `from_number` out on STOP, back in on START (offering its owner their next request).

    True if it was one: a START from a number that had not opted out is not. `sender` is what
    lock_sender(from_number) returned in this transaction, taken before: whatever offers, ends
    or creates their requests waits for that lock and reads the opt-out after it.
    """
    # STOP and START belong to the number, whoever owns it, and whether or not it is verified.
    if word in STOP_WORDS:
        opt_out(phone_number=from_number, reason=OptOut.Reason.STOP)
        return True
    if word in START_WORDS and opt_in(phone_number=from_number):
        if sender:
            # The lock's reading of the opt-out is stale now: it was just lifted.
            offer_next_request(sender)
        return True
    return False


def reply_to(
    sender: User | None,
    offer: OutstandingRequest | None,
    from_number: str,
    word: str,
    received_at: datetime,
) -> str | None:
    """The answer to `word` from `sender` (locked), whose `offer` was read under the lock."""
    if heed_stop_or_start(word, from_number=from_number, sender=sender):
        if word in TWILIO_STOP_WORDS or word in TWILIO_START_WORDS:
            return None
        return texts.stopped() if word in STOP_WORDS else texts.started()
    if word in HELP_WORDS:
        return texts.sms_help()
    if word == "start":
        return None
    if word in START_WORDS - TWILIO_START_WORDS:
        return texts.started()
    if offer is not None and had_seen(offer, received_at):
        if word in ACCEPT_WORDS or word in REJECT_WORDS:
            return decide(offer.reservation, accepted=word in ACCEPT_WORDS)
        return texts.pending_help(offer.reservation)
    ended = last_seen_request(sender, received_at) if sender else None
    if ended is not None and ended.status in ENDED_BY_SOMEONE_ELSE:
        return texts.host_replied_to_ended(ended)
    if offer is None:
        return texts.nothing_to_answer()
    # Twilio had not taken the SMS about this request when the reply arrived: the reply
    # answers something else the host saw, so it decides nothing.
    return texts.pending_help(offer.reservation)


def had_seen(offer: OutstandingRequest, received_at: datetime) -> bool:
    """Whether Twilio had taken the SMS about the offer before the reply arrived."""
    if offer.message is None:  # offered before the SMS was linked
        return offer.offered_at <= received_at
    accepted_at = offer.message.accepted_at
    return accepted_at is not None and accepted_at <= received_at


def last_seen_request(host: User, received_at: datetime) -> Reservation | None:
    """The request of the last SMS about a request that Twilio took for the host."""
    message = (
        Message.objects.filter(
            direction=Direction.OUTBOUND,
            user=host,
            reservation__isnull=False,
            accepted_at__lte=received_at,
        )
        .select_related("reservation__guest", "reservation__property")
        .order_by("-accepted_at", "-id")
        .first()
    )
    return message.reservation if message else None


def decide(request: Reservation, *, accepted: bool) -> str:
    """Decide `request`, locked by lock_offer."""
    try:
        request = decide_reservation(
            reservation=request, accepted=accepted, via=Reservation.Channel.SMS, locked=True
        )
    except OverlapsConfirmedStay:
        if transaction.get_rollback():
            raise  # the database refused it: answer_host_sms asks again
        return f"{OverlapsConfirmedStay.message} {texts.pending_help(request)}"
    except NotPending:
        return texts.nothing_to_answer()
    except ReservationError as refused:
        return f"{refused.message} {texts.pending_help(request)}"
    return texts.host_decided(request, accepted)
