"""A reservation's timeline, derived from what is already recorded: its own timestamps, the
SMS log and the calls that answered it. One reading for the guest, the host and staff.
"""

from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from airtng.messaging.models import Direction, Message
from airtng.messaging.models import Status as SmsStatus
from ivr.models import Call, CallDecision
from reservations.conversations.models import RelayedCall
from reservations.models import Reservation


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    what: str
    text: str = ""
    status: str = ""
    kind: str = ""  # requested, sms-out, sms-in, call or decided: for styling


def timeline_for(reservation: Reservation) -> list[TimelineEvent]:
    """Everything that happened to the request, oldest first, in five queries.

    `reservation` should come with its guest and its property's host (select_related).
    """
    guest, host = reservation.guest, reservation.property.host
    names = {guest.pk: guest.first_name, host.pk: host.first_name}
    numbers = {str(guest.phone_number): guest.first_name, str(host.phone_number): host.first_name}
    events = [
        TimelineEvent(
            at=reservation.created_at,
            what=_("Requested by %(guest)s") % {"guest": guest.first_name},
            text=reservation.message,
            kind="requested",
        )
    ]
    messages = Message.objects.filter(reservation=reservation).order_by("created_at", "id")
    for message in messages:
        events.append(_sms_event(message, names, numbers))
        if message.direction == Direction.INBOUND and message.reply:
            # Our answer went back in the webhook's TwiML, not through the SMS log.
            person = _person(message.user_id, message.from_number, names, numbers)
            events.append(
                TimelineEvent(
                    at=message.updated_at,
                    what=_("Reply to %(person)s") % {"person": person},
                    text=message.reply,
                    kind="sms-out",
                )
            )
    placed = set()
    # Calls the log linked to the request when answering them are told by their decisions.
    placed_calls = Call.objects.filter(reservation=reservation, direction=Direction.OUTBOUND)
    for call in placed_calls.order_by("created_at", "id"):
        placed.add(call.sid)
        events.append(
            TimelineEvent(
                at=call.created_at,
                what=_("Airtng called %(host)s") % {"host": host.first_name},
                status=_placed_call_status(call),
                kind="call",
            )
        )
    decisions = CallDecision.objects.filter(step=CallDecision.deciding(reservation.pk))
    for call in decisions.order_by("created_at"):
        if call.call_sid in placed:
            what = _("%(host)s answered Airtng's call") % {"host": host.first_name}
        else:
            what = _("Call from %(host)s") % {"host": host.first_name}
        events.append(
            TimelineEvent(at=call.created_at, what=what, text=_said(call.twiml), kind="call")
        )
    for call in RelayedCall.objects.filter(conversation_id=reservation.pk):
        callee = host if call.caller_id == guest.pk else guest
        events.append(
            TimelineEvent(
                at=call.created_at,
                what=_("Call from %(caller)s to %(callee)s through the proxy number")
                % {"caller": names.get(call.caller_id, ""), "callee": callee.first_name},
                kind="call",
            )
        )
    if reservation.decided_at and reservation.status != Reservation.Status.PENDING:
        events.append(_decision_event(reservation))
    return sorted(events, key=lambda event: event.at)


def _person(user_id, number, names, numbers) -> str:
    # Never a raw number: the guest and the host do not see each other's.
    return names.get(user_id) or numbers.get(number) or _("another number")


def _sms_event(message, names, numbers) -> TimelineEvent:
    if message.direction == Direction.INBOUND:
        person = _person(message.user_id, message.from_number, names, numbers)
        if message.to != settings.TWILIO_PHONE_NUMBER:
            what = _("SMS from %(person)s to the proxy number") % {"person": person}
        else:
            what = _("SMS from %(person)s") % {"person": person}
        status = ""
    else:
        person = _person(message.user_id, message.to, names, numbers)
        if message.from_number != settings.TWILIO_PHONE_NUMBER:
            what = _("SMS to %(person)s from the proxy number") % {"person": person}
        else:
            what = _("SMS to %(person)s") % {"person": person}
        status = message.get_status_display()
        if message.status == SmsStatus.FAILED and message.error_code:
            status = _("%(status)s (error %(code)d)") % {
                "status": status,
                "code": message.error_code,
            }
    return TimelineEvent(
        at=message.created_at,
        what=what,
        text=message.body,
        status=status,
        kind=f"sms-{message.direction}",
    )


def _placed_call_status(call: Call) -> str:
    if call.attempts > 1:
        return ngettext(
            "%(status)s (%(attempts)d attempt)",
            "%(status)s (%(attempts)d attempts)",
            call.attempts,
        ) % {"status": call.get_status_display(), "attempts": call.attempts}
    return call.get_status_display()


def _decision_event(reservation) -> TimelineEvent:
    if reservation.decided_via:
        what = _("%(status)s via %(channel)s") % {
            "status": reservation.get_status_display(),
            "channel": reservation.get_decided_via_display(),
        }
    else:
        what = reservation.get_status_display()
    return TimelineEvent(at=reservation.decided_at, what=what, kind="decided")


def _said(twiml: str) -> str:
    """What the caller heard, read from the TwiML the call was answered with."""
    try:
        root = ElementTree.fromstring(twiml)
    except ElementTree.ParseError:
        return ""
    return " ".join(say.text or "" for say in root.iter("Say"))
