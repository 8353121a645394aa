from datetime import timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from properties.models import Property

MAX_NIGHTS = 30
MAX_MESSAGE_LENGTH = 1000


def reply_window() -> timedelta:
    return timedelta(minutes=settings.HOST_REPLY_WINDOW_MINUTES)


class ReservationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    DECLINED = "declined", _("Declined by Airtng")


class DecisionChannel(models.TextChoices):
    WEB = "web", _("Web")
    ADMIN = "admin", _("Admin")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone")
    LINK = "link", _("the link in the SMS")


class Reservation(models.Model):
    Status = ReservationStatus
    Channel = DecisionChannel

    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Reservations are history: a guest who has any is deactivated, not deleted (the
        # host's side is held by `property`).
        on_delete=models.PROTECT,
        related_name="trips",
        verbose_name=_("guest"),
    )
    property = models.ForeignKey(
        Property,
        # A guest's stay outlives its listing: a listing with reservations is withdrawn instead.
        on_delete=models.PROTECT,
        related_name="reservations",
        verbose_name=_("property"),
    )
    check_in = models.DateField(_("check-in"))
    check_out = models.DateField(_("check-out"))
    guests = models.PositiveSmallIntegerField(_("guests"), validators=[MinValueValidator(1)])
    message = models.TextField(_("message to the host"), max_length=MAX_MESSAGE_LENGTH)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_via = models.CharField(
        _("decided via"), max_length=5, choices=Channel.choices, blank=True
    )
    # Assigned by the database, under the host's lock: the order requests really arrived in.
    created_at = models.DateTimeField(_("requested"), db_default=Now(), db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("host reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["created_at", "id"]
        indexes = [
            # A listing's pending requests (a host's oldest, those a confirmation declines)
            # and its confirmed stays over some nights: a few rows of the listing's many.
            models.Index(
                fields=["property", "status", "check_out"], name="reservation_listing_status_idx"
            ),
            # A listing's confirmed nights: whether it is free on some dates (a search's NOT
            # EXISTS, listing by listing) and its calendar.
            models.Index(
                fields=["property", "check_out", "check_in"],
                name="reservation_confirmed_idx",
                condition=models.Q(status=ReservationStatus.CONFIRMED),
            ),
            # The confirmed stays over some nights, of every listing at once: a search that
            # tests thousands of listings reads the stays still to end, not each listing's.
            models.Index(
                fields=["check_out", "check_in", "property"],
                name="reservation_confirmed_on_idx",
                condition=models.Q(status=ReservationStatus.CONFIRMED),
            ),
            # A guest's requests of the last day (the limit on asking one host).
            models.Index(fields=["guest", "created_at"], name="reservation_guest_recent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(check_out__gt=models.F("check_in")),
                name="reservation_check_out_after_check_in",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReservationStatus.values),
                name="reservation_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(guests__gte=1), name="reservation_guests_positive"
            ),
        ]
        # reservation_no_overlap (no two confirmed stays of one property overlap) is created
        # by migration 0002 in each database's own dialect.

    def __str__(self):
        return _("%(guest)s at %(property)s, %(check_in)s–%(check_out)s") % {
            "guest": self.guest,
            "property": self.property,
            "check_in": self.check_in,
            "check_out": self.check_out,
        }

    # `property` names the field here, hence cached_property.
    @cached_property
    def host(self):
        return self.property.host

    @cached_property
    def nights(self):
        return (self.check_out - self.check_in).days

    @cached_property
    def answer_by(self):
        """When the host's time to answer runs out and the request expires."""
        return self.created_at + reply_window()

    def can_cancel(self):
        """A pending or confirmed stay can be cancelled until its check-in day."""
        open_statuses = (ReservationStatus.PENDING, ReservationStatus.CONFIRMED)
        return self.status in open_statuses and self.check_in > timezone.localdate()


class OutstandingRequest(models.Model):
    """The one pending request a host has been texted about and not yet answered.

    The host is the primary key: a host never has two, however many requests arrive at once.
    """

    host = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="outstanding_request",
        verbose_name=_("host"),
    )
    reservation = models.OneToOneField(
        Reservation,
        on_delete=models.CASCADE,
        related_name="outstanding",
        verbose_name=_("reservation"),
    )
    # From the caller's clock, so that a sweep run with `now` is consistent with itself.
    offered_at = models.DateTimeField(_("texted"), default=timezone.now)
    # The SMS that asked the host: a reply decides only once Twilio had taken it.
    message = models.OneToOneField(
        "messaging.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SMS"),
    )

    class Meta:
        verbose_name = _("request awaiting the host's reply")
        verbose_name_plural = _("requests awaiting the host's reply")

    def __str__(self):
        return str(self.reservation)
