"""A phone in the browser: it talks to Airtng only through the signed Twilio webhooks."""

import json
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from airtng.messaging.models import Direction, Message
from airtng.messaging.opt_outs import is_opted_out
from airtng.twilio import request_origin, simulator_signature, twilio_url
from ivr.calls import ringing_calls, status_callback_path
from reservations.conversations.proxies import conversations_of, proxy_pool

from .forms import (
    CallForm,
    KeyForm,
    PhoneForm,
    RefusalForm,
    SmsForm,
    SmsStatusForm,
    first_error,
)
from .phone import Phone, Refused, TestClientTransport, placed_status_path
from .steps import shown, waiting_label
from .twiml import Call, TwimlError

INBOX_SIZE = 100


def is_embedded_run():
    """The README's `make run`: DEBUG on and no real Twilio account behind it."""
    return settings.DEBUG and not settings.TWILIO_AUTH_TOKEN


def can_use_simulator(user):
    """Anyone in the embedded run; elsewhere, staff given the simulator's permission."""
    return is_embedded_run() or (user.is_staff and user.has_perm("simulator.use_simulator"))


def can_read_sms(user):
    """The phone shows the SMS log, so it takes the log's own view permission too."""
    return is_embedded_run() or (
        can_use_simulator(user) and user.has_perm("messaging.view_message")
    )


def allowed_if(rule):
    def decorator(view):
        @wraps(view)
        def allowed(request, *args, **kwargs):
            if not rule(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return allowed

    return decorator


def can_see_calls(user):
    return is_embedded_run() or (can_use_simulator(user) and user.has_perm("ivr.view_call"))


simulator_allowed = allowed_if(can_use_simulator)


@simulator_allowed
@require_GET
def phone(request):
    users = User.objects.order_by("first_name").only("first_name", "last_name", "phone_number")
    return render(
        request,
        "simulator/phone.html",
        {
            "users": users,
            "airtng_number": settings.TWILIO_PHONE_NUMBER,
            "proxy_numbers": proxy_pool(),
            "strings": {
                "pick_phone": _("Pick a phone first."),
                "airtng": _("Airtng"),
                "delivered": _("Mark delivered"),
                "failed": _("Mark failed"),
                "call_ended": _("Call ended."),
                "calling": _("Calling %(path)s…"),
                "via": _("via %(number)s"),
                "no_conversation": _("no conversation of this phone"),
                "incoming": _("Airtng is calling %(number)s…"),
                "answered": _("You answered Airtng's call."),
                "not_answered": _("You let Airtng's call ring out."),
                "was_busy": _("You told Airtng you are busy."),
                "opted_out": _(
                    "This number has texted STOP: Airtng sends it no SMS until it texts START."
                ),
                "opted_in": _("This number receives Airtng's SMS (text STOP to opt out)."),
                "unreachable": _("The simulator could not be reached; it will try again."),
            },
            "urls": {
                "messages": reverse("simulator_messages"),
                "calls": reverse("simulator_calls"),
                "sms_send": reverse("simulator_sms_send"),
                "sms_status": reverse("simulator_sms_status"),
                "call_start": reverse("simulator_call_start"),
                "call_answer": reverse("simulator_call_answer"),
                "call_refuse": reverse("simulator_call_refuse"),
                # The page fills in the call and the move.
                "call_move": reverse("simulator_call_move", args=["CALL", "MOVE"]),
            },
            "paths": {"voice": reverse("voice"), "ivr": reverse("phone_tree", args=["welcome"])},
        },
    )


def refused(message, status=400):
    return JsonResponse({"error": str(message)}, status=status)


def polled_number(request):
    """The phone a poll is for: None when no phone is picked yet, else E.164 or ValidationError."""
    if not request.GET.get("number", "").strip():
        return None
    form = PhoneForm(request.GET)
    if not form.is_valid():
        raise ValidationError(first_error(form))
    return form.cleaned_data["number"]


@allowed_if(can_read_sms)
@require_GET
def messages(request):
    """Every SMS to and from `number`, newest last, as the phone would show them."""
    try:
        number = polled_number(request)
    except ValidationError as error:
        return refused(error.messages[0])
    if number is None:
        return JsonResponse({"number": "", "messages": [], "proxies": {}, "opted_out": False})
    log = Message.objects.filter(
        Q(direction=Direction.OUTBOUND, to=number)
        | Q(direction=Direction.INBOUND, from_number=number)
    ).order_by("-created_at", "-id")[:INBOX_SIZE]
    return JsonResponse(
        {
            "number": number,
            "opted_out": is_opted_out(number),
            "messages": [
                {
                    "id": message.pk,
                    "sid": message.sid,
                    "direction": message.direction,
                    "body": message.body,
                    "reply": message.reply,
                    "status": message.status,
                    "status_label": message.get_status_display(),
                    "at": message.created_at.isoformat(),
                    "at_label": moment(message.created_at),
                    # The Airtng number it went to or came from: Airtng's own, or a proxy.
                    "airtng_side": (
                        message.to
                        if message.direction == Direction.INBOUND
                        else message.from_number
                    ),
                }
                for message in reversed(log)
            ],
            "proxies": {
                proxy: conversation_label(conversation)
                for proxy, conversation in conversations_of(
                    User.objects.with_verified_number(number)
                )
            },
        }
    )


def moment(at) -> str:
    return dateformat.format(timezone.localtime(at), "Y-m-d H:i:s")


def conversation_label(conversation) -> str:
    """Which conversation a proxy number serves for this phone, as staff would name it."""
    reservation = conversation.reservation
    return _("%(guest)s ↔ %(host)s · %(property)s (reservation %(id)d)") % {
        "guest": reservation.guest.first_name,
        "host": reservation.property.host.first_name,
        "property": reservation.property.title,
        "id": reservation.pk,
    }


@allowed_if(can_see_calls)
@require_GET
def calls(request):
    """The calls Airtng placed to `number` that are ringing: the phone offers to answer them."""
    try:
        number = polled_number(request)
    except ValidationError as error:
        return refused(error.messages[0])
    ringing = ringing_calls(number)[:INBOX_SIZE] if number else []
    return JsonResponse(
        {
            "number": number or "",
            "calls": [
                {
                    "id": call.pk,
                    "sid": call.sid,
                    "status": call.status,
                    "status_url": status_callback_path(call),
                }
                for call in ringing
                if call.sid
            ],
        }
    )


# --- The phone's own moves: texts, and calls the server plays ---------------------------------


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
    path = (
        reverse("voice")
        if form.cleaned_data["line"] == "voice"
        else reverse("phone_tree", args=["welcome"])
    )
    call = phone.dial(path, to=form.cleaned_data["to"])
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


@simulator_allowed
@require_POST
def sign(request):
    """The X-Twilio-Signature Twilio would send for a request to one of our webhooks."""
    try:
        wanted = json.loads(request.body)
        path, params = wanted["path"], wanted.get("params", {})
    except (ValueError, KeyError, TypeError):
        return HttpResponseBadRequest()
    if not isinstance(path, str) or not is_twilio_webhook(path):
        return HttpResponseBadRequest()
    if not isinstance(params, dict):
        return HttpResponseBadRequest()
    params = {str(k): str(v) for k, v in params.items()}
    url = twilio_url(path, origin=request_origin(request))
    return JsonResponse({"signature": simulator_signature(url, params)})


def is_twilio_webhook(path):
    """Whether `path` is one of Airtng's Twilio webhooks, the only addresses we sign for."""
    url = urlsplit(path)
    if url.scheme or url.netloc or not url.path.startswith("/") or "/." in url.path:
        return False
    try:
        view = resolve(url.path).func
    except Resolver404:
        return False
    return getattr(view, "twilio_webhook", False)
