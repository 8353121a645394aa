"""Airtng's own number: callers are greeted, and a host can answer a request by keypad.

Caller ID is easy to fake, so a request's details are read, and its decision taken, only
once the call proves the caller owns the number (../shared/PRODUCT.md, "Deciding without
SMS"): the network's STIR/SHAKEN A-attestation, or the host's phone PIN. What each step
learnt travels in its action URL, signed and bound to the call.
"""

from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.languages import owner_language
from accounts.models import PIN_DIGITS, User
from accounts.services import check_phone_pin, phone_pin_for
from airtng.messaging.countries import valid_number
from airtng.twilio import twiml_document
from reservations import texts
from reservations.conversations.proxies import is_proxy_number
from reservations.models import Reservation
from reservations.services import (
    NotPending,
    ReservationError,
    decide_reservation,
    outstanding_request,
    pending_requests_for,
)

from .models import CallDecision
from .spoken import SpokenResponse, in_callers_language, strangers_language

GATHER_TIMEOUT_SECONDS = 6
ACCEPT_KEY, REJECT_KEY = "1", "2"
# Twilio's StirVerstat when the caller's carrier vouches that the caller owns the number.
OWNS_THE_NUMBER = "TN-Validation-Passed-A"
STATE_SALT = "ivr.voice_line.call"
STATE_MAX_AGE_SECONDS = 60 * 60


def call_url(name: str, *, call_sid: str, **state) -> str:
    """The URL of the voice webhook `name`, carrying `state` signed for this call only."""
    signed = signing.dumps({**state, "call": call_sid}, salt=STATE_SALT)
    return f"{reverse(name)}?{urlencode({'state': signed})}"


def call_state(signed: str, *, call_sid: str) -> dict:
    """What an earlier step of this call signed; {} if absent, forged, stale or another call's."""
    try:
        state = signing.loads(signed, salt=STATE_SALT, max_age=STATE_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return {}
    if not isinstance(state, dict) or state.get("call") != call_sid:
        return {}
    return state


def waiting_request(host: User) -> Reservation | None:
    # A host who cannot be texted (opted out) still hears their oldest request.
    return (
        outstanding_request(host)
        or pending_requests_for(host).select_related("guest", "property").first()
    )


@lru_cache
def thanks_for_calling(language: str) -> bytes:
    """What a caller whose number belongs to no one hears, written once per language."""
    with translation.override(language):
        response = SpokenResponse()
        response.say(_("Thanks for calling!"))
        return twiml_document(response)


def strangers_greeting(*, caller: str, to: str) -> bytes | None:
    """What /voice answers a call from a number no one owns, known without a query; None for
    any other call (a proxy number's, one Airtng placed, an owner's): `voice` answers those."""
    if is_proxy_number(to) or caller == settings.TWILIO_PHONE_NUMBER:
        return None
    number = valid_number(caller)
    if number is not None and owner_language(number.e164) is not None:
        return None
    return thanks_for_calling(strangers_language(number))


@in_callers_language
def greet(
    *,
    caller: str,
    call_sid: str,
    user: User | None,
    placed: bool = False,
    stir_verstat: str = "",
    state: str = "",
    digits: str = "",
) -> SpokenResponse | bytes:
    """Greet the caller (`user`, the owner of their number); a host who proves the number is
    theirs hears their request."""
    if user is None:
        return thanks_for_calling(translation.get_language())
    response = SpokenResponse()
    known = call_state(state, call_sid=call_sid) if state else {}
    if known.get("host") != user.pk:
        known = {}
    if placed:
        greeting = _("Hello %(name)s, this is Airtng.") % {"name": user.first_name}
    else:
        greeting = _("Thanks for calling, %(name)s!") % {"name": user.first_name}
    request = waiting_request(user)
    if request is None:
        response.say(greeting)
        if placed:
            response.say(texts.nothing_to_answer())
            response.hangup()
        return response
    if known.get("step") == "pin":
        return answer_pin(response, host=user, request=request, call_sid=call_sid, pin=digits)
    if known.get("proven") or placed or stir_verstat == OWNS_THE_NUMBER:
        offer_request(
            response, request, call_sid=call_sid, intro=greeting, attempt=known.get("attempt", 1)
        )
    elif phone_pin_for(user) is not None:
        ask_for_pin(response, host=user, call_sid=call_sid, intro=greeting)
    else:
        response.say(greeting)
        response.say(
            _(
                "To hear and answer your requests on the phone, set a phone PIN in your "
                "Airtng profile. Goodbye!"
            )
        )
        response.hangup()
    return response


def ask_for_pin(response, *, host: User, call_sid: str, intro: str = ""):
    gather = response.gather(
        num_digits=PIN_DIGITS,
        action=call_url("voice", call_sid=call_sid, host=host.pk, step="pin"),
        method="POST",
        timeout=GATHER_TIMEOUT_SECONDS,
    )
    gather.say(" ".join(part for part in (intro, _("Please enter your phone PIN.")) if part))
    response.say(_("Goodbye!"))
    response.hangup()


def answer_pin(response, *, host: User, request: Reservation, call_sid: str, pin: str):
    if check_phone_pin(user=host, pin=pin):
        offer_request(response, request, call_sid=call_sid)
        return response
    phone_pin = phone_pin_for(host)
    if phone_pin is None or not phone_pin.tries_left:
        response.say(
            _("That PIN was wrong too many times. Set a new one in your Airtng profile. Goodbye!")
        )
        response.hangup()
        return response
    response.say(_("That PIN is wrong."))
    ask_for_pin(response, host=host, call_sid=call_sid)
    return response


def offer_request(response, request: Reservation, *, call_sid: str, intro: str = "", attempt=1):
    """Read the request and take 1 or 2, once the caller is known to own the number.

    A call Airtng places to the host proves it by itself: its webhook starts here.
    """
    offer_choice(response, request, call_sid=call_sid, intro=intro)
    if attempt == 1:
        host = request.property.host_id
        response.redirect(
            call_url("voice", call_sid=call_sid, host=host, proven=True, attempt=2), method="POST"
        )
    else:
        response.say(_("Goodbye!"))
        response.hangup()


def offer_choice(response, request: Reservation, *, call_sid: str, intro: str = ""):
    gather = response.gather(
        num_digits=1,
        action=call_url(
            "voice_decision",
            call_sid=call_sid,
            host=request.property.host_id,
            reservation=request.pk,
        ),
        method="POST",
        timeout=GATHER_TIMEOUT_SECONDS,
    )
    gather.say(" ".join(part for part in (intro, texts.spoken_request(request)) if part))


@in_callers_language
def decide_by_keypad(
    *,
    call_sid: str,
    caller: str,
    user: User | None,
    state: str,
    digits: str,
    placed: bool = False,
) -> SpokenResponse | str:
    """Apply the key of the host (`user`) to the request this call offered, once per call
    and request. A repeated post hears the same answer; a state not signed for this call
    decides nothing.
    """
    response = SpokenResponse()
    offered = call_state(state, call_sid=call_sid)
    host = user
    request = (
        Reservation.objects.filter(pk=offered.get("reservation"), property__host=host)
        .select_related("guest", "property")
        .first()
        if host and offered.get("host") == host.pk and isinstance(offered.get("reservation"), int)
        else None
    )
    if request is None:
        response.say(texts.nothing_to_answer())
        response.hangup()
        return response
    step_name = CallDecision.deciding(request.pk)
    answered = (
        CallDecision.objects.filter(call_sid=call_sid, step=step_name)
        .values_list("twiml", flat=True)
        .first()
        if call_sid
        else None
    )
    if answered:
        # Whatever key a repeated post carries, this call's decision was already made.
        return answered
    if digits not in (ACCEPT_KEY, REJECT_KEY):
        if request.status != Reservation.Status.PENDING:
            response.say(texts.host_replied_to_ended(request))
        else:
            response.say(_("Sorry, that is not one of the choices."))
            offer_choice(response, request, call_sid=call_sid)
        response.say(_("Goodbye!"))
        response.hangup()
        return response
    with transaction.atomic():
        step = None
        if call_sid:
            try:
                with transaction.atomic():
                    step = CallDecision.objects.create(call_sid=call_sid, step=step_name, twiml="")
            except IntegrityError:
                # Another post of this call is deciding right now; its answer is ours.
                return CallDecision.objects.get(call_sid=call_sid, step=step_name).twiml
        try:
            request = decide_reservation(
                reservation=request, accepted=digits == ACCEPT_KEY, via=Reservation.Channel.PHONE
            )
        except NotPending:
            # It ended after this call read it: say what ended it, as it is now.
            ended = Reservation.objects.select_related("guest", "property").get(pk=request.pk)
            response.say(texts.host_replied_to_ended(ended))
        except ReservationError as refused:
            response.say(str(refused.message))
        else:
            response.say(texts.host_decided(request, digits == ACCEPT_KEY))
        response.say(_("Goodbye!"))
        response.hangup()
        if step:
            step.twiml = str(response)
            step.save(update_fields=["twiml"])
    return response
