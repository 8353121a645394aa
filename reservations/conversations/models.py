"""A reservation's conversation: its web thread, and the proxy number that masks both people.

../shared/PRODUCT.md, "Conversations". The database keeps the proxy rule: a person holds a proxy
number in at most one open conversation (ProxySeat), so `From` + `To` name one conversation.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reservations.models import MAX_MESSAGE_LENGTH, Reservation


class Conversation(models.Model):
    reservation = models.OneToOneField(
        Reservation,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="conversation",
        verbose_name=_("reservation"),
    )
    # Empty: no proxy number (none set, or the pool could not serve this pair).
    proxy_number = models.CharField(_("proxy number"), max_length=32, blank=True)
    guest_seen_at = models.DateTimeField(_("guest last on the page"), null=True, blank=True)
    host_seen_at = models.DateTimeField(_("host last on the page"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened"), default=timezone.now)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["proxy_number"], name="conversation_proxy_number")]

    def __str__(self):
        return str(self.reservation)


class ProxySeat(models.Model):
    """A person's place on a proxy number in one open conversation; deleted when it closes.

    Unique per (person, number): two allocations racing for one person's number cannot both
    commit, whatever they read before inserting.
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="seats", verbose_name=_("conversation")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="proxy_seats",
        verbose_name=_("person"),
    )
    proxy_number = models.CharField(_("proxy number"), max_length=32)

    class Meta:
        verbose_name = _("proxy number in use")
        verbose_name_plural = _("proxy numbers in use")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "proxy_number"], name="proxy_seat_one_open_conversation"
            ),
            models.UniqueConstraint(
                fields=["conversation", "person"], name="proxy_seat_once_per_conversation"
            ),
        ]

    def __str__(self):
        return f"{self.proxy_number} · {self.person}"


class Via(models.TextChoices):
    WEB = "web", _("Web")
    SMS = "sms", _("SMS")


class ConversationMessage(models.Model):
    """What one of the two wrote, on the web or by SMS to the proxy number."""

    Via = Via

    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("conversation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"), max_length=MAX_MESSAGE_LENGTH)
    via = models.CharField(_("via"), max_length=3, choices=Via.choices, default=Via.WEB)
    # The SMS it arrived as: Twilio's MessageSid makes a redelivered one a repeat.
    sms = models.OneToOneField(
        "messaging.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SMS"),
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(via__in=Via.values), name="conversation_message_via_known"
            ),
        ]

    def __str__(self):
        return self.body[:40]


class RelayedCall(models.Model):
    """A call from one of the two to the proxy number, put through to the other."""

    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="calls",
        verbose_name=_("conversation"),
    )
    call_sid = models.CharField(_("call SID"), max_length=64, unique=True)
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("caller"),
    )
    created_at = models.DateTimeField(_("called"), default=timezone.now)

    class Meta:
        verbose_name = _("relayed call")
        verbose_name_plural = _("relayed calls")
        ordering = ["created_at"]

    def __str__(self):
        return self.call_sid
