"""A phone in the browser: it talks to Airtng only through the signed Twilio webhooks."""

import json
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from airtng.messaging.models import Direction, Message
from airtng.twilio import request_origin, simulator_signature, twilio_url
from ivr.calls import ringing_calls, status_callback_path
from reservations.conversations.proxies import conversations_of, proxy_pool

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
            "account_sid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
            "strings": {
                "pick_phone": _("Pick a phone first."),
                "airtng": _("Airtng"),
                "delivered": _("Mark delivered"),
                "failed": _("Mark failed"),
                "connecting": _("Connecting to %(number)s…"),
                "connecting_as": _("Connecting to %(number)s, who sees %(caller_id)s calling…"),
                "call_ended": _("Call ended."),
                "calling": _("Calling %(path)s…"),
                "press": _("Press a key"),
                "error": _("Airtng answered %(status)s."),
                "via": _("via %(number)s"),
                "no_conversation": _("no conversation of this phone"),
                "incoming": _("Airtng is calling %(number)s…"),
                "answered": _("You answered Airtng's call."),
                "not_answered": _("You let Airtng's call ring out."),
                "was_busy": _("You told Airtng you are busy."),
            },
            "urls": {
                "messages": reverse("simulator_messages"),
                "calls": reverse("simulator_calls"),
                "sign": reverse("simulator_sign"),
                "incoming_sms": reverse("incoming_sms"),
                "sms_status": reverse("sms_status"),
                "voice": reverse("voice"),
                "ivr": reverse("phone_tree", args=["welcome"]),
            },
        },
    )


@allowed_if(can_read_sms)
@require_GET
def messages(request):
    """Every SMS to and from `number`, newest last, as the phone would show them."""
    number = request.GET.get("number", "").strip()
    if not number:
        return JsonResponse({"messages": [], "proxies": {}})
    log = Message.objects.filter(
        Q(direction=Direction.OUTBOUND, to=number)
        | Q(direction=Direction.INBOUND, from_number=number)
    ).order_by("-created_at", "-id")[:INBOX_SIZE]
    return JsonResponse(
        {
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
    number = request.GET.get("number", "").strip()
    ringing = ringing_calls(number)[:INBOX_SIZE] if number else []
    return JsonResponse(
        {
            "calls": [
                {
                    "id": call.pk,
                    "sid": call.sid,
                    "status": call.status,
                    "status_url": status_callback_path(call),
                }
                for call in ringing
                if call.sid
            ]
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
