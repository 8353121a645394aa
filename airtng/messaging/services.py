"""The one sending path: every SMS is a Message row first, and a background task sends it."""

import logging
import uuid
from datetime import timedelta

import requests
import urllib3.exceptions
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
from .outbox import hold
from .tasks import check_at_twilio, deliver_message

logger = logging.getLogger(__name__)

# A send is two waits of at most TWILIO_TIMEOUT_SECONDS (connecting, then Twilio's answer);
# the margin covers the database writes around it.
LEASE_MARGIN = timedelta(seconds=10)
MAX_ATTEMPTS = 6
FIRST_RETRY_DELAY = timedelta(seconds=5)
# How long after an unreadable answer Twilio's message list is asked whether it took the SMS.
CHECK_DELAY = timedelta(seconds=30)
MAX_BODY_LENGTH = 1600  # Twilio refuses longer bodies.
OPTED_OUT_ERROR = 21610
COUNTRY_NOT_TEXTED_ERROR = 21408  # Twilio's "Permission to send an SMS has not been enabled"
# What a message looks like in the list at Twilio: the latest page is enough.
CHECK_PAGE_SIZE = 50


def lease() -> timedelta:
    """How long a worker holds a message it is sending: the longest a send can take, and more."""
    return 2 * timedelta(seconds=settings.TWILIO_TIMEOUT_SECONDS) + LEASE_MARGIN


def queue_sms(
    *,
    to,
    body,
    user=None,
    reservation=None,
    redacted_body="",
    from_number=None,
    expires_at=None,
) -> Message:
    """Record an SMS to `to` and schedule its delivery, in the caller's transaction.

    The delivery task is a row in the same database, so a rollback sends nothing and a
    commit cannot lose the message. A `redacted_body` replaces the body in the log once the
    SMS is delivered (see redact); past `expires_at` it is of no use and is not sent at all
    (a worker that reaches it late gives it up), nor again (see retry_failed). It is sent
    from `from_number` (a proxy number of the account), else from Airtng's own number. A
    text to a person goes through accounts.texting.text_person, which writes it in their
    language. Inside outbox.sending_together() the row is written with the others, at the
    block's end.
    """
    message = Message(
        redacted_body=redacted_body[:MAX_BODY_LENGTH],
        direction=Direction.OUTBOUND,
        to=str(to),
        from_number=str(from_number or settings.TWILIO_PHONE_NUMBER),
        body=body[:MAX_BODY_LENGTH],
        status=Status.PENDING,
        user=user,
        reservation=reservation,
        expires_at=expires_at,
    )
    if not hold(message):
        message.save(force_insert=True)
        deliver_message.enqueue(message.pk)
    return message


def claim(message_id, *, now=None):
    """Take the message for one delivery attempt, or None if it is not ours to send.

    A conditional UPDATE is the lock: only one worker wins, and a worker that died
    mid-send loses its claim when the lease expires. The attempt number is the claim's
    token: release() only writes while it is unchanged.
    """
    now = now or timezone.now()
    claimable = Message.objects.filter(pk=message_id, direction=Direction.OUTBOUND).filter(
        Q(status=Status.PENDING, next_attempt_at__isnull=True)
        | Q(status=Status.PENDING, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, lease_expires_at__lte=now)
    )
    if not claimable.update(
        status=Status.SENDING,
        lease_expires_at=now + lease(),
        attempted_at=now,
        attempts=F("attempts") + 1,
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
    elif message.expires_at is not None and message.expires_at <= timezone.now():
        give_up(message, code=None, reason="It expired before it could be sent.")
    elif is_opted_out(message.to):
        give_up(message, code=OPTED_OUT_ERROR, reason="The number replied STOP.")
    elif not is_textable(message.to):
        give_up(message, code=COUNTRY_NOT_TEXTED_ERROR, reason="Not a country in SMS_COUNTRIES.")
    elif not twilio_is_configured():
        if settings.DEBUG or settings.SMS_RECORD_ONLY:
            # Recorded as sent, with a SID of our own so the phone simulator can report its
            # delivery through /sms/status as Twilio would.
            sid = f"SM{uuid.uuid4().hex}"
            finish(message, status=Status.SENT, sid=sid, accepted_at=timezone.now())
        else:
            retry_later(message, code=None, reason="No Twilio credentials are set.")
    else:
        send_through_twilio(message)


def get_ready_to_send():
    """Load now what a worker's first send would load while its SMS waits: Twilio's REST API
    (a hundred modules, compiled where no bytecode is kept) and the URLconf its callback names.
    """
    import twilio.rest.api.v2010.account  # noqa: F401

    reverse("sms_status")


def send_through_twilio(message):
    callback = status_callback_url(message)
    try:
        sent = twilio_client().messages.create(
            to=message.to,
            from_=message.from_number,
            body=message.body,
            status_callback=callback,
            # Twilio swaps look-alike Unicode (dashes, curly quotes, "…") for GSM-7
            # characters, so that a text costs half the segments.
            smart_encoded=True,
        )
    except TwilioRestException as error:
        if error.status == 429 or error.status >= 500:
            retry_later(message, code=error.code, reason=error.msg)
        else:
            give_up(message, code=error.code, reason=error.msg)
    except Exception as error:
        if never_left(error):
            retry_later(message, code=None, reason=describe(error))
        else:
            may_have_been_sent(message, reason=describe(error))
    else:
        status = sent.status if sent.status in TWILIO_STATUSES else Status.QUEUED
        if not finish(message, status=status, sid=sent.sid, accepted_at=timezone.now()):
            # Our lease ran out while Twilio answered and another worker holds the message:
            # the SID must still be recorded so that it is not sent a second time (or, if the
            # other worker sent it too, noted as the copy it is).
            note_sid(message_id=message.pk, sid=sent.sid)
        logger.info("SMS %s taken by Twilio as %s", message.pk, sent.sid)


def never_left(error) -> bool:
    """True when the request cannot have reached Twilio: no connection was ever made."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    if isinstance(error, requests.ConnectionError) and error.args:
        reason = getattr(error.args[0], "reason", None)
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


def describe(error) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def status_callback_url(message):
    if not settings.PUBLIC_BASE_URL:
        return values.unset  # Twilio has nowhere to call back; statuses stay as sent.
    # The message's id lets a callback name a message whose SID was never recorded.
    return twilio_url(f"{reverse('sms_status')}?message={message.pk}")


def release(message, *, status, enqueue_at=None, **recorded) -> bool:
    """End this worker's claim on `message`; False if the claim is no longer ours.

    A worker whose lease ran out while Twilio was slow may come back after another worker
    claimed and sent the message: its outcome is stale and must not overwrite the other's.
    With `enqueue_at`, a delivery task is scheduled in the same transaction.
    """
    with transaction.atomic():  # the message is never pending without a task to send it
        released = Message.objects.filter(
            pk=message.pk, status=Status.SENDING, attempts=message.attempts
        ).update(status=status, lease_expires_at=None, **recorded)
        if released and enqueue_at is not None:
            deliver_message.using(run_after=enqueue_at).enqueue(message.pk)
    if not released:
        logger.warning(
            "SMS %s: a later claim holds it; this attempt's outcome is dropped", message.pk
        )
    return bool(released)


def finish(message, *, status, **recorded) -> bool:
    """Twilio has the message (or it is only recorded): no further attempt."""
    return release(
        message, status=status, next_attempt_at=None, error_code=None, error_message="", **recorded
    )


def retry_later(message, *, code, reason) -> bool:
    """Twilio did not take the message and may yet: try again after a growing wait."""
    if message.attempts >= MAX_ATTEMPTS:
        return give_up(message, code=code, reason=reason)
    delay = FIRST_RETRY_DELAY * 2 ** (message.attempts - 1)
    next_attempt_at = timezone.now() + delay
    retried = release(
        message,
        status=Status.PENDING,
        next_attempt_at=next_attempt_at,
        error_code=code,
        error_message=reason[:500],
        enqueue_at=next_attempt_at,
    )
    if retried:
        logger.warning("SMS %s will be retried at %s: %s", message.pk, next_attempt_at, reason)
    return retried


def give_up(message, *, code, reason) -> bool:
    """Twilio will never take the message: it is failed, for staff to see."""
    failed = release(
        message,
        status=Status.FAILED,
        next_attempt_at=None,
        error_code=code,
        error_message=reason[:500],
    )
    if failed:
        logger.warning("SMS %s failed: %s", message.pk, reason)
        if code == OPTED_OUT_ERROR:
            opt_out(phone_number=message.to, reason=OptOut.Reason.TWILIO)
    return failed


def may_have_been_sent(message, *, reason) -> bool:
    """The request reached Twilio but its answer was lost: sending again could text twice.

    The message waits as "unknown" until Twilio's list of messages says whether it took it
    (check_sent_at_twilio), or its status callback names it.
    """
    with transaction.atomic():
        held = release(
            message,
            status=Status.UNKNOWN,
            next_attempt_at=None,
            error_code=None,
            error_message=reason[:500],
        )
        if held:
            check_at_twilio.using(run_after=timezone.now() + CHECK_DELAY).enqueue(message.pk)
    if held:
        logger.warning("SMS %s may have been sent; Twilio will be asked: %s", message.pk, reason)
    return held


def check_sent_at_twilio(message_id):
    """Settle an "unknown" message from Twilio's own list: taken (record its SID) or send again.

    If Twilio cannot be asked, the message stays "unknown" for staff, who may send it again.
    """
    message = Message.objects.filter(pk=message_id, status=Status.UNKNOWN).first()
    if message is None:
        return
    since = message.attempted_at - timedelta(minutes=1)  # clocks differ a little
    try:
        listed = twilio_client().messages.list(
            to=message.to,
            from_=message.from_number,
            page_size=CHECK_PAGE_SIZE,
            limit=CHECK_PAGE_SIZE,
        )
    except Exception as error:  # noqa: BLE001 — any failure leaves the message for staff
        Message.objects.filter(pk=message.pk, status=Status.UNKNOWN).update(
            error_message=f"Twilio could not be asked whether it took this SMS: {describe(error)}"
        )
        logger.warning("SMS %s stays unknown: %s", message.pk, describe(error))
        return
    taken = [
        sent
        for sent in listed
        if sent.body == message.body and sent.date_created and sent.date_created >= since
    ]
    unknown = Message.objects.filter(pk=message.pk, status=Status.UNKNOWN, sid__isnull=True)
    if taken:
        first = min(taken, key=lambda sent: sent.date_created)
        status = first.status if first.status in TWILIO_STATUSES else Status.QUEUED
        unknown.update(
            status=status, sid=first.sid, accepted_at=first.date_created, error_message=""
        )
        logger.info("SMS %s was taken by Twilio as %s", message.pk, first.sid)
    else:
        with transaction.atomic():
            if unknown.update(status=Status.PENDING, next_attempt_at=None):
                deliver_message.enqueue(message.pk)
        logger.info("SMS %s is not at Twilio: it will be sent again", message.pk)


class NoUseAnyMore(Exception):
    """The SMS says something of no use now (an expired code): sending it again is refused."""

    def __init__(self, message: Message):
        super().__init__(message.pk)
        self.expired_at = message.expires_at


def retry_failed(message, *, now=None) -> bool:
    """Send a failed (or unknown, once staff checked) outbound message again, from the start.

    Raises NoUseAnyMore for one whose content expired (a verification code): its reader
    could do nothing with it.
    """
    now = now or timezone.now()
    retriable = Message.objects.filter(
        pk=message.pk, direction=Direction.OUTBOUND, status__in=[Status.FAILED, Status.UNKNOWN]
    )
    expired = retriable.filter(expires_at__lte=now).first()
    if expired is not None:
        raise NoUseAnyMore(expired)
    # A message the carrier failed has the sid of that attempt; kept, it would make
    # deliver() take the message as already sent.
    with transaction.atomic():
        reset = retriable.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).update(
            status=Status.PENDING, attempts=0, next_attempt_at=None, error_code=None, sid=None
        )
        if reset:
            deliver_message.enqueue(message.pk)
    return bool(reset)


def requeue_stalled(*, now=None) -> int:
    """Schedule again every message whose worker died, or that waited a whole lease.

    A killed worker leaves its claim (SENDING) and its task marked running for ever. The
    requeued message's deadline moves to now, so that a backlog longer than a lease gets
    one more task per lease, not one per sweep.
    """
    return requeue_stalled_rows(
        Message.objects, claimed=Status.SENDING, task=deliver_message, noun="SMS", now=now
    )


def requeue_stalled_rows(outbox, *, claimed, task, noun: str, now=None) -> int:
    """The outbox rule for any outbound row a worker claims (an SMS, a call): a row held
    `claimed` past its lease, or pending a whole lease, is pending again with a new task.
    Both outboxes name their waiting state "pending"."""
    now = now or timezone.now()
    stalled = outbox.filter(direction=Direction.OUTBOUND).filter(
        Q(status=claimed, lease_expires_at__lte=now)
        | Q(status=Status.PENDING, next_attempt_at__lte=now - lease())
        | Q(status=Status.PENDING, next_attempt_at__isnull=True, created_at__lte=now - lease())
    )
    requeued = 0
    for row_id in stalled.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            if stalled.filter(pk=row_id).update(
                status=Status.PENDING, lease_expires_at=None, next_attempt_at=now
            ):
                task.enqueue(row_id)
                requeued += 1
                logger.warning("%s %s requeued: its worker died or its task is gone", noun, row_id)
    return requeued


def record_status(*, sid, status, error_code=None, message_id=None) -> bool:
    """Apply a delivery status callback; it never moves a message backwards.

    `message_id` (from the callback URL) names the message even when its SID was never
    recorded: the worker died between Twilio's answer and its write, or the answer was
    cut off. A second SID for one message is a copy sent twice; it is kept beside the first.
    """
    if status not in TWILIO_STATUSES or not sid:
        return False
    if message_id is not None and not Message.objects.filter(sid=sid).exists():
        note_sid(message_id=message_id, sid=sid)
    behind = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]
    recorded = bool(
        Message.objects.filter(sid=sid, status__in=behind).update(
            status=status, error_code=error_code, lease_expires_at=None
        )
    )
    if status == Status.DELIVERED:
        redact(Message.objects.filter(sid=sid))
    return recorded


def expire(messages, *, now=None) -> int:
    """Make what `messages` say of no use from now on: their code was replaced or used."""
    now = now or timezone.now()
    return messages.filter(expires_at__gt=now).update(expires_at=now)


def redact(messages) -> int:
    """Replace the body of each of `messages` Twilio has by its redacted body, if it has one.

    One still waiting for a worker keeps its body: it has yet to be sent.
    """
    return (
        messages.filter(status__in=TWILIO_STATUSES)
        .exclude(redacted_body="")
        .update(body=F("redacted_body"), redacted_body="")
    )


def note_sid(*, message_id, sid):
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(pk=message_id, direction=Direction.OUTBOUND)
            .first()
        )
        if message is None:
            return
        if message.sid is None:
            message.sid = sid
            message.accepted_at = message.accepted_at or timezone.now()
            message.save(update_fields=["sid", "accepted_at", "updated_at"])
            logger.info("SMS %s: its SID %s arrived with a status callback", message.pk, sid)
        elif sid not in message.duplicate_sids:
            message.duplicate_sids = [*message.duplicate_sids, sid]
            message.save(update_fields=["duplicate_sids", "updated_at"])
            logger.warning("SMS %s was sent twice: the copy is %s", message.pk, sid)
