"""Airtng's own number: callers are greeted, and a host can answer a request by keypad."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from accounts.models import User
from reservations import texts
from reservations.models import Reservation
from reservations.services import (
    NotPending,
    ReservationError,
    decide_reservation,
    outstanding_request,
    pending_requests_for,
)

from .models import CallStep

GATHER_TIMEOUT_SECONDS = 6
ACCEPT_KEY, REJECT_KEY = "1", "2"


def greet(*, caller: str, attempt: int = 1) -> VoiceResponse:
    """Greet the caller; a host with a request waiting hears it and may answer it."""
    response = VoiceResponse()
    user = User.objects.with_verified_number(caller)
    if user is None:
        response.say(_("Thanks for calling!"))
        return response
    greeting = _("Thanks for calling, %(name)s!") % {"name": user.first_name}
    # A host who cannot be texted (opted out) still hears their oldest request.
    request = (
        outstanding_request(user)
        or pending_requests_for(user).select_related("guest", "property").first()
    )
    if request is None:
        response.say(greeting)
        return response
    offer_choice(response, request, intro=greeting)
    if attempt == 1:
        response.redirect(f"/voice?attempt={attempt + 1}", method="POST")
    else:
        response.say(_("Goodbye!"))
        response.hangup()
    return response


def offer_choice(response, request: Reservation, *, intro: str = ""):
    gather = response.gather(
        num_digits=1,
        action=f"/voice/decision?reservation={request.pk}",
        method="POST",
        timeout=GATHER_TIMEOUT_SECONDS,
    )
    gather.say(" ".join(part for part in (intro, texts.spoken_request(request)) if part))


def decide_by_keypad(
    *, call_sid: str, caller: str, reservation_id: int | None, digits: str
) -> VoiceResponse | str:
    """Apply the host's key, once per call and request: a repeated post hears the same answer."""
    response = VoiceResponse()
    host = User.objects.with_verified_number(caller)
    request = (
        Reservation.objects.filter(pk=reservation_id, property__host=host)
        .select_related("guest", "property")
        .first()
        if host and reservation_id is not None
        else None
    )
    if request is None:
        response.say(texts.nothing_to_answer())
        response.hangup()
        return response
    step_name = CallStep.deciding(request.pk)
    answered = (
        CallStep.objects.filter(call_sid=call_sid, step=step_name)
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
            response.say(_("This request was already decided."))
        else:
            response.say(_("Sorry, that is not one of the choices."))
            offer_choice(response, request)
        response.say(_("Goodbye!"))
        response.hangup()
        return response
    with transaction.atomic():
        step = None
        if call_sid:
            try:
                with transaction.atomic():
                    step = CallStep.objects.create(call_sid=call_sid, step=step_name, twiml="")
            except IntegrityError:
                # Another post of this call is deciding right now; its answer is ours.
                return CallStep.objects.get(call_sid=call_sid, step=step_name).twiml
        try:
            request = decide_reservation(
                reservation=request, accepted=digits == ACCEPT_KEY, via=Reservation.Channel.PHONE
            )
        except NotPending:
            response.say(_("This request was already decided."))
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
