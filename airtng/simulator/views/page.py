"""The page, and the polls that keep it up to date: the phone's SMS and Airtng's ringing calls."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import User
from airtng.messaging.models import Direction, Message
from airtng.messaging.opt_outs import is_opted_out
from ivr.calls import ringing_calls, status_callback_path
from reservations.conversations.proxies import conversations_of, proxy_pool

from ..access import allowed_if, can_read_sms, can_see_calls, simulator_allowed
from ..forms import PhoneForm, call_path, first_error

INBOX_SIZE = 100


@simulator_allowed
@require_GET
def phone(request):
    dialled = linked_call(request.GET.get("dial", ""))
    users = User.objects.order_by("first_name").only("first_name", "last_name", "phone_number")
    return render(
        request,
        "simulator/phone.html",
        {
            "users": users,
            "airtng_number": settings.TWILIO_PHONE_NUMBER,
            "dialled": dialled,
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
            "paths": {
                "voice": reverse("voice"),
                "ivr": reverse("phone_tree", args=["welcome"]),
                "dialled": dialled,
            },
        },
    )


def linked_call(dial: str) -> str:
    """The call webhook a link asked the page to call (`?dial=/ivr/welcome`), or "": a link
    to anything else is ignored."""
    try:
        return call_path(dial.strip())
    except ValidationError:
        return ""


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
