"""The one sending path: every SMS is a Message row first, and a background task sends it."""

import logging
import uuid
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from twilio.base import values
from twilio.base.exceptions import TwilioRestException

from airtng.twilio import twilio_client, twilio_is_configured, twilio_url

from .countries import is_textable
from .models import STATUS_RANK, TWILIO_STATUSES, Direction, Message, OptOut, Status
from .opt_outs import is_opted_out, opt_out
from .tasks import deliver_message

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 6
FIRST_RETRY_DELAY = timedelta(seconds=5)
MAX_BODY_LENGTH = 1600  # Twilio refuses longer bodies.
OPTED_OUT_ERROR = 21610
COUNTRY_NOT_TEXTED_ERROR = 21408  # Twilio's "Permission to send an SMS has not been enabled"


def queue_sms(*, to, body, user=None, reservation=None, redacted_body="") -> Message:
    """Record an SMS to `to` and schedule its delivery, in the caller's transaction.

    The delivery task is a row in the same database, so a rollback sends nothing and a
    commit cannot lose the message. A `redacted_body` replaces the body in the log once the
    SMS is delivered (see redact).
    """
    message = Message.objects.create(
        redacted_body=redacted_body[:MAX_BODY_LENGTH],
        direction=Direction.OUTBOUND,
        to=str(to),
        from_number=settings.TWILIO_PHONE_NUMBER,
        body=body[:MAX_BODY_LENGTH],
        status=Status.PENDING,
        user=user,
        reservation=reservation,
    )
    deliver_message.enqueue(message.pk)
    return message


def claim(message_id, *, now=None):
    """Take the message for one delivery attempt, or None if it is not ours to send.

    A conditional UPDATE is the lock: only one worker wins, and a worker that died
    mid-send loses its claim when the lease expires.
    """
    now = now or timezone.now()
    claimable = Message.objects.filter(pk=message_id, direction=Direction.OUTBOUND).filter(
        Q(status=Status.PENDING, next_attempt_at__isnull=True)
        | Q(status=Status.PENDING, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, lease_expires_at__lte=now)
    )
    if not claimable.update(
        status=Status.SENDING, lease_expires_at=now + LEASE, attempts=F("attempts") + 1
    ):
        return None
    return Message.objects.select_related("user").get(pk=message_id)


def deliver(message_id):
    """One delivery attempt: send through Twilio, retry later if Twilio may yet take it."""
    message = claim(message_id)
    if message is None:
        return
    if message.sid:
        # Twilio took it before the worker that sent it died: never send it twice.
        finish(message, status=Status.QUEUED)
    elif is_opted_out(message.to):
        give_up(message, code=OPTED_OUT_ERROR, reason="The number replied STOP.")
    elif not is_textable(message.to):
        give_up(message, code=COUNTRY_NOT_TEXTED_ERROR, reason="Not a country in SMS_COUNTRIES.")
    elif not twilio_is_configured():
        # Recorded as sent, with a SID of our own so the phone simulator can report its
        # delivery through /sms/status as Twilio would.
        sid = f"SM{uuid.uuid4().hex}"
        finish(message, status=Status.SENT, sid=sid, accepted_at=timezone.now())
    else:
        send_through_twilio(message)


def send_through_twilio(message):
    try:
        sent = twilio_client().messages.create(
            to=message.to,
            from_=message.from_number,
            body=message.body,
            status_callback=status_callback_url(),
            # Twilio swaps look-alike Unicode (dashes, curly quotes, "…") for GSM-7
            # characters, so that a text costs half the segments.
            smart_encoded=True,
        )
    except TwilioRestException as error:
        if error.status == 429 or error.status >= 500:
            retry_later(message, code=error.code, reason=error.msg)
        else:
            give_up(message, code=error.code, reason=error.msg)
    except (requests.Timeout, requests.ConnectionError) as error:
        retry_later(message, code=None, reason=str(error))
    else:
        status = sent.status if sent.status in TWILIO_STATUSES else Status.QUEUED
        accepted_at = timezone.now()
        if not finish(message, status=status, sid=sent.sid, accepted_at=accepted_at):
            # Our lease ran out while Twilio answered and another worker holds the message:
            # the SID must still be recorded so that it is not sent a second time.
            Message.objects.filter(pk=message.pk).update(sid=sent.sid, accepted_at=accepted_at)


def status_callback_url():
    if not settings.PUBLIC_BASE_URL:
        return values.unset  # Twilio has nowhere to call back; statuses stay as sent.
    return twilio_url(reverse("sms_status"))


def finish(message, *, status, **recorded) -> bool:
    """Release the claim; False if the message is no longer ours to finish."""
    return bool(
        Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
            **recorded,
            status=status,
            lease_expires_at=None,
            next_attempt_at=None,
            error_code=None,
            error_message="",
        )
    )


def retry_later(message, *, code, reason):
    if message.attempts >= MAX_ATTEMPTS:
        give_up(message, code=code, reason=reason)
        return
    delay = FIRST_RETRY_DELAY * 2 ** (message.attempts - 1)
    next_attempt_at = timezone.now() + delay
    with transaction.atomic():  # the message is never pending without a task to send it
        Message.objects.filter(pk=message.pk).update(
            status=Status.PENDING,
            lease_expires_at=None,
            next_attempt_at=next_attempt_at,
            error_code=code,
            error_message=reason[:500],
        )
        deliver_message.using(run_after=next_attempt_at).enqueue(message.pk)
    logger.warning("SMS %s will be retried at %s: %s", message.pk, next_attempt_at, reason)


def give_up(message, *, code, reason):
    Message.objects.filter(pk=message.pk).update(
        status=Status.FAILED,
        lease_expires_at=None,
        next_attempt_at=None,
        error_code=code,
        error_message=reason[:500],
    )
    if code == OPTED_OUT_ERROR:
        opt_out(phone_number=message.to, reason=OptOut.Reason.TWILIO)


def retry_failed(message) -> bool:
    """Send a failed outbound message again, from the first attempt."""
    # A message the carrier failed has the sid of that attempt; kept, it would make
    # deliver() take the message as already sent.
    with transaction.atomic():
        reset = Message.objects.filter(
            pk=message.pk, direction=Direction.OUTBOUND, status=Status.FAILED
        ).update(status=Status.PENDING, attempts=0, next_attempt_at=None, error_code=None, sid=None)
        if reset:
            deliver_message.enqueue(message.pk)
    return bool(reset)


def requeue_stalled(*, now=None) -> int:
    """Schedule again every message whose worker died, or that waited a whole lease.

    A killed worker leaves its claim (SENDING) and its task marked running for ever. The
    requeued message's deadline moves to now, so that a backlog longer than a lease gets
    one more task per lease, not one per sweep.
    """
    now = now or timezone.now()
    stalled = Message.objects.filter(direction=Direction.OUTBOUND).filter(
        Q(status=Status.SENDING, lease_expires_at__lte=now)
        | Q(status=Status.PENDING, next_attempt_at__lte=now - LEASE)
        | Q(status=Status.PENDING, next_attempt_at__isnull=True, created_at__lte=now - LEASE)
    )
    requeued = 0
    for message_id in stalled.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            if stalled.filter(pk=message_id).update(
                status=Status.PENDING, lease_expires_at=None, next_attempt_at=now
            ):
                deliver_message.enqueue(message_id)
                requeued += 1
    return requeued


def record_status(*, sid, status, error_code=None) -> bool:
    """Apply a delivery status callback; it never moves a message backwards."""
    if status not in TWILIO_STATUSES or not sid:
        return False
    behind = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]
    recorded = bool(
        Message.objects.filter(sid=sid, status__in=behind).update(
            status=status, error_code=error_code, lease_expires_at=None
        )
    )
    if status == Status.DELIVERED:
        redact(Message.objects.filter(sid=sid))
    return recorded


def redact(messages) -> int:
    """Replace the body of each of `messages` Twilio has by its redacted body, if it has one.

    One still waiting for a worker keeps its body: it has yet to be sent.
    """
    return (
        messages.filter(status__in=TWILIO_STATUSES)
        .exclude(redacted_body="")
        .update(body=F("redacted_body"), redacted_body="")
    )
