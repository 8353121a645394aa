from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    OUTBOUND = "out", _("Sent by Airtng")
    INBOUND = "in", _("Received by Airtng")


class Status(models.TextChoices):
    # Ours, before Twilio has the message.
    PENDING = "pending", _("Waiting to send")
    SENDING = "sending", _("Sending")
    # The request went out and no readable answer came back: Twilio may have the message.
    UNKNOWN = "unknown", _("May have been sent")
    # Twilio's, in the order a message moves through them.
    QUEUED = "queued", _("Queued at Twilio")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Undelivered")
    FAILED = "failed", _("Failed")
    # An inbound message, once answered.
    RECEIVED = "received", _("Received")


# A status callback may only move a message forward: Twilio's callbacks can arrive late,
# twice, or out of order.
STATUS_RANK = {
    Status.PENDING: 0,
    Status.SENDING: 1,
    Status.UNKNOWN: 1,
    Status.QUEUED: 2,
    Status.SENT: 3,
    Status.DELIVERED: 4,
    Status.UNDELIVERED: 4,
    Status.FAILED: 4,
}
# What Twilio may tell us of a message it has: its answer to a send, or a status callback.
# ("sending" is a Twilio status too, but ours means a worker holds the message.)
TWILIO_STATUSES = {status for status, rank in STATUS_RANK.items() if rank >= 2}


class Message(models.Model):
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    to = models.CharField(_("to"), max_length=32, db_index=True)
    from_number = models.CharField(_("from"), max_length=32, db_index=True)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    sid = models.CharField(_("Twilio SID"), max_length=64, unique=True, null=True, blank=True)
    error_code = models.PositiveIntegerField(_("error code"), null=True, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # Twilio SIDs of copies sent by a worker that died before recording the first one's SID.
    duplicate_sids = models.JSONField(_("duplicate SIDs"), default=list, blank=True)
    reply = models.TextField(_("our reply"), blank=True)
    # When Twilio took an outbound message (its SID recorded): the recipient could have read
    # it from then on.
    accepted_at = models.DateTimeField(_("accepted by Twilio"), null=True, blank=True)
    # A secret (a verification code) is kept only until it has done its job.
    redacted_body = models.TextField(
        _("body once delivered"),
        blank=True,
        help_text=_("Replaces the body once the SMS is delivered or its code is used."),
    )
    # What the SMS says is of no use after this (a verification code): it is not sent again.
    expires_at = models.DateTimeField(_("no use after"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("user"),
    )
    reservation = models.ForeignKey(
        "reservations.Reservation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("reservation"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS log")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(direction__in=Direction.values), name="message_direction_known"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="message_status_known"
            ),
        ]
        indexes = [
            models.Index(
                fields=["lease_expires_at"],
                condition=models.Q(status__in=[Status.PENDING, Status.SENDING]),
                name="message_unfinished",
            ),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.to}: {self.shown_body[:40]}"

    @property
    def shown_body(self) -> str:
        """The body as staff read it: a secret is masked even before it has done its job."""
        return self.redacted_body or self.body

    @property
    def person_number(self) -> str:
        """The number at the other end from Airtng: whom it was sent to, or who sent it."""
        return self.to if self.direction == Direction.OUTBOUND else self.from_number


class OptOutReason(models.TextChoices):
    STOP = "stop", _("Replied STOP")
    TWILIO = "twilio", _("Twilio refused to text it (error 21610)")


class OptOut(models.Model):
    """A number Airtng must not text: it replied STOP, or Twilio says it did.

    It belongs to the number, as at Twilio, whoever owns it: START from the number lifts it.
    """

    Reason = OptOutReason

    phone_number = models.CharField(_("phone number"), max_length=32, unique=True)
    reason = models.CharField(_("why"), max_length=6, choices=Reason.choices, default=Reason.STOP)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("opted-out number")
        verbose_name_plural = _("opted-out numbers")
        ordering = ["-created_at"]

    def __str__(self):
        return self.phone_number


class WorkerHeartbeat(models.Model):
    """A worker's sign of life, written by each `db_worker` while it runs (see /healthz)."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return self.worker_id
