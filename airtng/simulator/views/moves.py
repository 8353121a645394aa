"""What the phone does: text Airtng, report an SMS delivered, and calls the server plays."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from airtng.messaging.models import Direction, Message

from ..access import allowed_if, can_read_sms, can_see_calls, simulator_allowed
from ..forms import (
    CallForm,
    KeyForm,
    PhoneForm,
    RefusalForm,
    SmsForm,
    SmsStatusForm,
    first_error,
)
from ..phone import Phone, Refused, TestClientTransport, placed_status_path
from ..steps import shown, waiting_label
from ..twiml import Call, TwimlError
from .page import refused


def phone_of(request, number) -> Phone:
    """A phone that reaches Airtng in this process, at the address the page was opened on."""
    return Phone(number, TestClientTransport(host=request.get_host(), secure=request.is_secure()))


@simulator_allowed
@require_POST
def sms_send(request):
    form = SmsForm(request.POST)
    if not form.is_valid():
        return refused(first_error(form))
    phone = phone_of(request, form.cleaned_data["number"])
    try:
        replies = phone.text(form.cleaned_data["body"], to=form.cleaned_data["to"])
    except Refused as refusal:
        return refused(_("Airtng answered %(status)s.") % {"status": refusal.status}, 502)
    except TwimlError as error:
        return refused(_("Airtng's reply is not TwiML: %(reason)s.") % {"reason": error}, 502)
    return JsonResponse({"replies": replies})


@allowed_if(can_read_sms)
@require_POST
def sms_status(request):
    """Twilio's delivery report for an SMS Airtng sent to this phone."""
    form = SmsStatusForm(request.POST)
    if not form.is_valid():
        return refused(first_error(form))
    number, message_sid = form.cleaned_data["number"], form.cleaned_data["sid"]
    sent = Message.objects.filter(direction=Direction.OUTBOUND, to=number, sid=message_sid).first()
    if sent is None:
        return refused(_("Airtng sent no such SMS to this phone."), 404)
    status = phone_of(request, number).report_sms(
        message_sid, form.cleaned_data["status"], sent.from_number
    )
    return JsonResponse({"status": status})


@simulator_allowed
@require_POST
def call_start(request):
    """The phone calls Airtng; the call runs until it waits for a key or ends."""
    form = CallForm(request.POST)
    if not form.is_valid():
        return refused(first_error(form))
    phone = phone_of(request, form.cleaned_data["number"])
    call = phone.dial(form.cleaned_data["path"], to=form.cleaned_data["to"])
    return played(request, phone, call, call.start(phone.fetch))


@allowed_if(can_see_calls)
@require_POST
def call_answer(request):
    """The phone answers the call Airtng placed to it."""
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return refused(first_error(form))
    phone = phone_of(request, form.cleaned_data["number"])
    placed = phone.ringing()
    if placed is None:
        return refused(_("No call from Airtng is ringing on this phone."), 409)
    call = phone.answer(placed)
    return played(request, phone, call, call.start(phone.fetch))


@allowed_if(can_see_calls)
@require_POST
def call_refuse(request):
    """The phone lets Airtng's call ring out, or says it is busy: Twilio reports which."""
    form = RefusalForm(request.POST)
    if not form.is_valid():
        return refused(first_error(form))
    phone = phone_of(request, form.cleaned_data["number"])
    placed = phone.ringing()
    if placed is None:
        return refused(_("No call from Airtng is ringing on this phone."), 409)
    phone.report(placed.sid, placed_status_path(placed), form.cleaned_data["status"])
    return JsonResponse({"reported": form.cleaned_data["status"]})


@simulator_allowed
@require_POST
def call_move(request, call_id, move):
    """A move on a call in progress: press a key, wait out the timeout, or hang up."""
    state = ongoing_calls(request.session).get(call_id)
    if state is None:
        return refused(_("This call is over."), 404)
    call = Call(state)
    phone = phone_of(request, state["number"])
    if move == "press":
        form = KeyForm(request.POST)
        if not form.is_valid():
            return refused(first_error(form))
        steps = call.press(form.cleaned_data["key"], phone.fetch)
    elif move == "wait":
        steps = call.wait(phone.fetch)
    elif move == "hang-up":
        steps = call.hang_up()
    else:
        return refused(_("A call is moved on by press, wait or hang-up."), 404)
    return played(request, phone, call, steps)


CALLS_KEPT = 3  # calls in progress kept per session: the page plays one at a time


def ongoing_calls(session) -> dict:
    return session.get("simulator_calls", {})


def played(request, phone, call, steps) -> JsonResponse:
    """The steps the call took, and what it waits for; its state kept for the next move."""
    call_id = call.state["params"]["CallSid"]
    kept = {k: v for k, v in ongoing_calls(request.session).items() if k != call_id}
    reported = ""
    if call.ended:
        phone.finish(call)
        reported = "completed" if call.state.get("status_path") else ""
    else:
        call.state["number"] = phone.number
        kept = dict(list(kept.items())[-(CALLS_KEPT - 1) :]) | {call_id: call.state}
    request.session["simulator_calls"] = kept
    return JsonResponse(
        {
            "id": call_id,
            "ended": call.ended,
            "waiting": call.waiting,
            "waiting_label": waiting_label(call.waiting),
            "reported": reported,
            "steps": [shown(step) for step in steps],
        }
    )
