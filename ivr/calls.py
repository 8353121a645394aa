"""Calls Airtng places to hosts about a request: a Call row first, a background task dials.

The same outbox as SMS (airtng/messaging/services.py): the row and its task are written in
the caller's transaction, a conditional UPDATE claims the row, and a lease frees it if the
worker dies. An unanswered or busy call is placed again, 10 minutes later, twice.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from twilio.base.exceptions import TwilioRestException

from airtng.messaging.models import Direction
from airtng.messaging.services import lease, requeue_stalled_rows
from airtng.twilio import twilio_client, twilio_is_configured, twilio_url
from reservations.models import Reservation

from .models import Call
from .tasks import place_call

logger = logging.getLogger(__name__)

Status = Call.Status
MAX_ATTEMPTS = 3  # the first call and two retries
RETRY_DELAY = timedelta(minutes=10)
UNANSWERED = {Status.BUSY, Status.NO_ANSWER}
# Twilio's call statuses, in the order a call moves through them: a late callback never
# moves a call back.
TWILIO_RANK = {
    Status.QUEUED: 1,
    Status.INITIATED: 2,
    Status.RINGING: 3,
    Status.IN_PROGRESS: 4,
    Status.COMPLETED: 5,
    Status.BUSY: 5,
    Status.NO_ANSWER: 5,
    Status.FAILED: 5,
    Status.CANCELED: 5,
}


def queue_call(*, to, user=None, reservation=None) -> Call:
    """Record a call to `to` about `reservation` and schedule it, in the caller's transaction."""
    call = Call.objects.create(
        direction=Direction.OUTBOUND,
        to=str(to),
        from_number=settings.TWILIO_PHONE_NUMBER,
        user=user,
        reservation=reservation,
    )
    place_call.enqueue(call.pk)
    return call


def claim(call_id, *, now=None) -> Call | None:
    """Take the call for one attempt, or None if it is not ours to place (see messaging.claim)."""
    now = now or timezone.now()
    claimable = Call.objects.filter(pk=call_id, direction=Direction.OUTBOUND).filter(
        Q(status=Status.PENDING, next_attempt_at__isnull=True)
        | Q(status=Status.PENDING, next_attempt_at__lte=now)
        | Q(status=Status.PLACING, lease_expires_at__lte=now)
    )
    # The SID of an earlier attempt goes: a late callback about it must not name this one.
    if not claimable.update(
        status=Status.PLACING,
        lease_expires_at=now + lease(),
        attempts=F("attempts") + 1,
        sid=None,
    ):
        return None
    return Call.objects.select_related("reservation").get(pk=call_id)


def still_asked(call: Call, *, now=None) -> bool:
    """A call is worth placing while its request waits for the host's answer."""
    request = call.reservation
    now = now or timezone.now()
    return (
        request is not None
        and request.status == Reservation.Status.PENDING
        and now < request.answer_by
    )


def place(call_id):
    """One attempt: dial the host through Twilio's Calls API (or only record it)."""
    call = claim(call_id)
    if call is None:
        return
    if not still_asked(call):
        release(call, status=Status.CANCELED, error_message="The request ended before the call.")
    elif not twilio_is_configured():
        if settings.DEBUG or settings.SMS_RECORD_ONLY:
            # Recorded only, with a SID of our own: the phone simulator rings with it.
            release(call, status=Status.QUEUED, sid=f"CA{uuid.uuid4().hex}", error_message="")
        else:
            release(call, status=Status.FAILED, error_message="No Twilio credentials are set.")
    elif not settings.PUBLIC_BASE_URL:
        release(call, status=Status.FAILED, error_message="PUBLIC_BASE_URL is not set.")
    else:
        dial(call)


def dial(call: Call):
    try:
        placed = twilio_client().calls.create(
            to=call.to,
            from_=call.from_number,
            url=twilio_url(answer_path(call)),
            status_callback=twilio_url(status_callback_path(call)),
        )
    except TwilioRestException as error:
        if error.status == 429 or error.status >= 500:
            call_again_later(call, status=Status.FAILED, reason=error.msg)
        else:  # Twilio will never place it (a number it cannot call, say)
            release(call, status=Status.FAILED, error_message=error.msg[:500])
    except Exception as error:  # noqa: BLE001 — Twilio may have placed it: never ring twice
        release(call, status=Status.FAILED, error_message=f"{type(error).__name__}: {error}"[:500])
    else:
        status = placed.status if placed.status in TWILIO_RANK else Status.QUEUED
        release(call, status=status, sid=placed.sid, error_message="")
        logger.info("Call %s placed by Twilio as %s", call.pk, placed.sid)


def answer_path(call: Call) -> str:
    """Where Twilio asks what to say when the host picks up: it names the call and attempt
    for the call log, which may see the first step before the worker has the SID."""
    return f"{reverse('voice')}?call={call.pk}&attempt={call.attempts}"


def status_callback_path(call: Call) -> str:
    """Where Twilio reports this attempt: its id and attempt name it before its SID is known."""
    return f"{reverse('voice_status')}?call={call.pk}&attempt={call.attempts}"


RINGING = [Status.QUEUED, Status.INITIATED, Status.RINGING]


def ringing_calls(number: str):
    """The calls Airtng placed to `number` that nobody has answered yet, oldest first."""
    return Call.objects.filter(
        direction=Direction.OUTBOUND, to=number, status__in=RINGING
    ).order_by("created_at", "id")


def release(call: Call, *, status, enqueue_at=None, **recorded) -> bool:
    """End this worker's claim on `call`; False if a later claim or a callback holds it."""
    with transaction.atomic():
        released = Call.objects.filter(
            pk=call.pk, status=Status.PLACING, attempts=call.attempts
        ).update(status=status, lease_expires_at=None, **recorded)
        if released and enqueue_at is not None:
            place_call.using(run_after=enqueue_at).enqueue(call.pk)
    return bool(released)


def call_again_later(call: Call, *, status, reason: str) -> bool:
    """An attempt that reached nobody: place the call again in RETRY_DELAY, if any are left."""
    if call.attempts >= MAX_ATTEMPTS or not still_asked(call):
        return release(call, status=status, error_message=reason[:500])
    next_attempt_at = timezone.now() + RETRY_DELAY
    return release(
        call,
        status=Status.PENDING,
        next_attempt_at=next_attempt_at,
        error_message=reason[:500],
        enqueue_at=next_attempt_at,
    )


def record_call_status(
    *,
    sid: str,
    status: str,
    duration: str = "",
    call_id=None,
    attempt=None,
    twilio_direction: str = "",
    from_number: str = "",
    to: str = "",
) -> bool:
    """Apply Twilio's status callback of a call; an unanswered placed call is placed again.

    `call_id` and `attempt` (from the callback URL) name a placed call even when the worker
    has not recorded the SID yet: Twilio may call back before its answer to us is read.
    """
    if status not in TWILIO_RANK or not sid:
        return False
    if twilio_direction == "inbound":
        return record_answered_call_status(
            sid=sid, status=status, duration=duration, from_number=from_number, to=to
        )
    with transaction.atomic():
        named = Q(sid=sid)
        if isinstance(call_id, int) and isinstance(attempt, int):
            named |= Q(pk=call_id, attempts=attempt, status=Status.PLACING)
        call = (
            Call.objects.select_for_update(of=("self",))
            .select_related("reservation")
            .filter(named, direction=Direction.OUTBOUND)
            .first()
        )
        if call is None or call.status == Status.PENDING:
            return False  # not placed yet, or its retry is already scheduled
        if TWILIO_RANK.get(call.status, 0) >= TWILIO_RANK[status]:
            return False
        call.sid = sid
        call.duration = int(duration) if duration.isdigit() else call.duration
        call.status = status
        call.lease_expires_at = None
        if status in UNANSWERED and call.attempts < MAX_ATTEMPTS and still_asked(call):
            call.status = Status.PENDING
            call.next_attempt_at = timezone.now() + RETRY_DELAY
            call.error_message = f"Attempt {call.attempts}: {Status(status).label}"
            place_call.using(run_after=call.next_attempt_at).enqueue(call.pk)
        call.save()
    return True


def record_answered_call_status(
    *, sid: str, status: str, duration: str, from_number: str, to: str
) -> bool:
    """Apply Twilio's status callback of a call Airtng answered (the number's "call status
    changes" URL), whether or not the call log has written the call yet."""
    with transaction.atomic():
        # The unique SID makes this and the call log's first write one row, whoever wins.
        Call.objects.bulk_create(
            [
                Call(
                    sid=sid,
                    direction=Direction.INBOUND,
                    from_number=from_number[:32],
                    to=to[:32],
                    status=status,
                    started_at=timezone.now(),
                )
            ],
            ignore_conflicts=True,
        )
        call = Call.objects.select_for_update().get(sid=sid)
        if call.direction != Direction.INBOUND:
            return False
        moved = TWILIO_RANK.get(call.status, 0) < TWILIO_RANK[status]
        if moved:
            call.status = status
        if duration.isdigit():
            call.duration = int(duration)
        call.save(update_fields=["status", "duration", "updated_at"])
    return moved or duration.isdigit()


def requeue_stalled_calls(*, now=None) -> int:
    """Schedule again every call whose worker died while dialling, or whose task is gone."""
    return requeue_stalled_rows(
        Call.objects, claimed=Status.PLACING, task=place_call, noun="Call", now=now
    )


def on_the_line(*, call_sid: str, caller: str) -> tuple[str, bool]:
    """The number of the person on this call, and whether Airtng placed the call.

    Twilio told its SID to Airtng alone, so a call whose SID is in our call log reached the
    number Airtng dialled: that proves who answers. `From` of such a call is our own number,
    so a call from any other number is not looked up: an inbound call costs no query here.
    """
    placed = (
        Call.objects.filter(sid=call_sid, direction=Direction.OUTBOUND)
        .values_list("to", flat=True)
        .first()
        if call_sid and caller == settings.TWILIO_PHONE_NUMBER
        else None
    )
    return (placed, True) if placed else (caller, False)
