"""Texts and calls to a proxy number: passed on between the two people of its conversation.

Both webhooks route here when `To` is one of TWILIO_PROXY_NUMBERS. The sender is known by
`From`; the seat (person, proxy number) names the one open conversation they have on it.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from twilio.twiml.voice_response import VoiceResponse

from accounts.languages import speaking_to, speech
from accounts.models import User
from airtng.messaging.models import Direction, Message, Status
from airtng.messaging.opt_outs import e164
from reservations.services.host_reply import (
    HELP_WORDS,
    MAX_STORED_BODY,
    START_WORDS,
    STOP_WORDS,
    TWILIO_SID,
    heed_stop_or_start,
    keyword,
)
from reservations.services.host_sms import lock_sender

from . import texts
from .models import ConversationMessage, RelayedCall
from .proxies import had_conversation, other_person, seat_of
from .thread import pass_on


def relay_sms(*, sid: str | None, from_number: str, proxy_number: str, body: str) -> str | None:
    """Pass an SMS to a proxy number on to the other person, once per Twilio MessageSid.

    Returns the reply to the sender (a refusal, help), or None: the SMS was passed on.
    """
    body = body[:MAX_STORED_BODY]
    from_number = from_number[:32]
    sid = sid if sid and TWILIO_SID.fullmatch(sid) else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                received = Message.objects.create(
                    direction=Direction.INBOUND,
                    sid=sid,
                    to=e164(proxy_number),
                    from_number=from_number,
                    body=body,
                    status=Status.RECEIVED,
                )
        except IntegrityError:
            # Twilio delivered this message before: it was passed on then.
            return Message.objects.get(sid=sid).reply or None
        if keyword(body) in STOP_WORDS | START_WORDS:
            # The opt-out changes under the sender's lock, as on Airtng's own number.
            sender = lock_sender(from_number)
        else:
            sender = User.objects.with_verified_number(from_number)
        seat = seat_of(sender, proxy_number)
        received.user = sender
        received.reservation_id = seat.conversation_id if seat else None
        received.reply = answer(received, sender=sender, seat=seat) or ""
        received.save(update_fields=["user", "reservation", "reply", "updated_at"])
    return received.reply or None


def answer(received: Message, *, sender: User | None, seat) -> str | None:
    """The reply to `received`; `sender` is locked if it says STOP or START (see relay_sms)."""
    word = keyword(received.body)
    if heed_stop_or_start(word, from_number=received.from_number, sender=sender):
        return None
    with speaking_to(sender, number=received.from_number):
        if seat is None:
            if had_conversation(sender, received.to):
                return texts.conversation_closed()
            return texts.not_a_conversation()
        reservation = seat.conversation.reservation
        if word in HELP_WORDS or word == "start":
            return texts.proxy_help(other_person(reservation, sender), reservation)
    said = ConversationMessage.objects.create(
        conversation=seat.conversation,
        author=sender,
        body=received.body,
        via=ConversationMessage.Via.SMS,
        sms=received,
        created_at=received.created_at,
    )
    pass_on(said, reservation=reservation)
    return None


def relay_call(*, call_sid: str, from_number: str, proxy_number: str) -> VoiceResponse:
    """Put a call to a proxy number through to the other person, showing them the proxy.

    The caller hears nothing but the call: the TwiML holds the other's number only inside
    <Dial>, which Twilio dials and never reads out.
    """
    response = VoiceResponse()
    caller = User.objects.with_verified_number(from_number)
    with transaction.atomic():
        seat = seat_of(caller, proxy_number)
        if seat is None:
            with speaking_to(caller, number=from_number) as language:
                if had_conversation(caller, proxy_number):
                    refusal = texts.conversation_closed()
                else:
                    refusal = texts.not_a_conversation()
                response.say(refusal, **speech(language))
            response.hangup()
            return response
        reservation = seat.conversation.reservation
        if call_sid:
            RelayedCall.objects.get_or_create(
                call_sid=call_sid,
                defaults={
                    "conversation": seat.conversation,
                    "caller": caller,
                    "created_at": timezone.now(),
                },
            )
    dial = response.dial(caller_id=seat.proxy_number)
    dial.number(str(other_person(reservation, caller).phone_number))
    return response
