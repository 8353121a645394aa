"""A phone tree staff edit in the admin: revisions of menus that speak a prompt and options per key.

Staff edit the draft revision; publishing makes it the live one, which callers hear. A revision
that was ever live is never edited again, so a call started on it can finish on it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from airtng.messaging.models import Direction

from . import voices

KEYS = [(key, key) for key in "0123456789*#"]
# <Gather>'s finishOnKey: Twilio's default ends the input at #, which is then never a key pressed.
TWILIO_FINISH_KEY = "#"
FINISH_KEYS = [
    ("#", _("# (Twilio’s default)")),
    ("*", "*"),
    ("", _("none: every key is a key")),
]
SLUG_HELP = _("Letters, digits and hyphens; the menu answers at /ivr/<this>.")
MIN_LOOP, MAX_LOOP = 1, 10


class Revision(models.Model):
    """One version of the whole phone tree: the draft staff edit, the live one, or a past one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Live")
        PAST = "past", _("Past")

    number = models.PositiveIntegerField(_("number"), unique=True)
    status = models.CharField(
        _("status"), max_length=5, choices=Status.choices, default=Status.DRAFT
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    live_since = models.DateTimeField(_("live since"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made live by"),
    )

    class Meta:
        verbose_name = _("phone tree revision")
        verbose_name_plural = _("phone tree revisions")
        ordering = ["-number"]
        permissions = [("publish_revision", _("Can publish and revert the phone tree"))]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="live"),
                name="revision_one_live",
            ),
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="draft"),
                name="revision_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "live", "past"]), name="revision_status_known"
            ),
        ]

    def __str__(self):
        return _("Revision %(number)s (%(status)s)") % {
            "number": self.number,
            "status": self.get_status_display(),
        }

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT


class Menu(models.Model):
    """A prompt read inside a <Gather>; the key pressed is posted to /ivr/<choice_slug>."""

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="menus", verbose_name=_("revision")
    )
    name = models.CharField(_("name"), max_length=80)
    # NULL, not "": many menus of a revision are played at no address (unique per revision).
    entry_slug = models.SlugField(  # noqa: DJ001
        _("played at"),
        null=True,
        blank=True,
        help_text=_("Set for a menu a call can start at, e.g. welcome for /ivr/welcome."),
    )
    choice_slug = models.SlugField(
        _("keys posted to"),
        help_text=_("e.g. menu: the key pressed is posted to /ivr/menu."),
    )
    prompt = models.TextField(_("prompt"), max_length=2000)
    voice = models.CharField(
        _("voice"), max_length=40, blank=True, help_text=_("e.g. Polly.Amy; empty: Twilio's.")
    )
    language = models.CharField(_("language"), max_length=10, blank=True, help_text=_("e.g. en-GB"))
    loop = models.PositiveSmallIntegerField(_("times the prompt is read"), default=3)
    finish_on_key = models.CharField(
        _("key that ends the input"),
        max_length=1,
        blank=True,
        default=TWILIO_FINISH_KEY,
        choices=FINISH_KEYS,
        # No <Gather> here: the admin writes help texts as HTML.
        help_text=_(
            "The key that ends a caller’s input (Twilio’s finishOnKey): it is never offered "
            "as an option."
        ),
    )
    reply_voice = models.CharField(
        _("voice of the replies"),
        max_length=40,
        blank=True,
        help_text=_("For what is said after a key is pressed."),
    )
    reply_language = models.CharField(_("language of the replies"), max_length=10, blank=True)
    main_menu = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"entry_slug__isnull": False},
        verbose_name=_("main menu"),
        help_text=_("Where an unknown key or “back” returns; empty: this menu."),
    )

    class Meta:
        verbose_name = _("phone menu")
        verbose_name_plural = _("phone menus")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(loop__gte=MIN_LOOP, loop__lte=MAX_LOOP),
                name="menu_loop_between_1_and_10",
            ),
            models.UniqueConstraint(
                fields=["revision", "entry_slug"], name="menu_entry_once_per_revision"
            ),
            models.UniqueConstraint(
                fields=["revision", "choice_slug"], name="menu_choice_once_per_revision"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        speech = {
            "language": voices.language_problem(self.language),
            "reply_language": voices.language_problem(self.reply_language),
            "voice": voices.voice_problem(self.voice, self.language),
            "reply_voice": voices.voice_problem(self.reply_voice, self.reply_language),
        }
        if problems := {name: problem for name, problem in speech.items() if problem}:
            raise ValidationError(problems)
        addresses = [slug for slug in (self.entry_slug, self.choice_slug) if slug]
        taken = Q(entry_slug__in=addresses) | Q(choice_slug__in=addresses)
        if (
            self.entry_slug == self.choice_slug
            or Menu.objects.filter(taken, revision=self.revision_id).exclude(pk=self.pk).exists()
        ):
            raise ValidationError(_("Each /ivr/ address can belong to one menu only."))
        if (
            not self.entry_slug
            and self.pk
            and Menu.objects.filter(main_menu=self).exclude(pk=self.pk).exists()
        ):
            # Their "back" would redirect the caller to an address that no longer exists.
            raise ValidationError(
                {
                    "entry_slug": _(
                        "Other menus return to this one as their main menu: it must stay one "
                        "a call can start at."
                    )
                }
            )
        # The admin's main_menu is a fresh copy: when it is this menu, its entry is the new one.
        main_menu = self if self.pk and self.main_menu_id == self.pk else self.main_menu
        if main_menu is not None and main_menu.revision_id != self.revision_id:
            raise ValidationError({"main_menu": _("Choose a menu of the same revision.")})
        if main_menu is not None and not main_menu.entry_slug:
            raise ValidationError(
                {"main_menu": _("The main menu must be one a call can start at.")}
            )
        if not self.entry_slug and not self.main_menu_id:
            raise ValidationError({"main_menu": _("Choose the main menu this one returns to.")})

    @property
    def home(self):
        return self.main_menu or self


class Option(models.Model):
    class Action(models.TextChoices):
        SAY_AND_HANG_UP = "say", _("Say a text, then hang up")
        MENU = "menu", _("Go to another menu")
        DIAL = "dial", _("Dial a number")
        BACK = "back", _("Go back to the main menu")

    menu = models.ForeignKey(
        Menu, on_delete=models.CASCADE, related_name="options", verbose_name=_("menu")
    )
    key = models.CharField(_("key"), max_length=1, choices=KEYS)
    action = models.CharField(_("action"), max_length=4, choices=Action.choices)
    text = models.TextField(
        _("text"),
        blank=True,
        max_length=4000,
        help_text=_("What is said; a blank line starts another <Say>."),
    )
    target_menu = models.ForeignKey(
        Menu,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("menu to go to"),
    )
    number = PhoneNumberField(_("number to dial"), blank=True)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(
                fields=["menu", "key"],
                name="option_one_action_per_key",
                violation_error_message=_("Each key can have only one action in a menu."),
            ),
        ]

    def __str__(self):
        return f"{self.key}: {self.get_action_display()}"

    def clean(self):
        required = {
            self.Action.SAY_AND_HANG_UP: ("text", _("Write what is said.")),
            self.Action.MENU: ("target_menu", _("Choose the menu to go to.")),
            self.Action.DIAL: ("number", _("Enter the number to dial, in E.164 (+14155550100).")),
        }.get(self.action)
        if required and not getattr(self, required[0]):
            raise ValidationError({required[0]: required[1]})
        try:
            menu = self.menu  # the admin's unsaved menu, on its add page
        except Menu.DoesNotExist:
            return
        if self.key and self.key == menu.finish_on_key:
            raise ValidationError({"key": finish_key_problem(self.key)})
        target = self.target_menu if self.action == self.Action.MENU else None
        if target is not None and target.revision_id != menu.revision_id:
            raise ValidationError({"target_menu": _("Choose a menu of the same revision.")})

    @property
    def sayings(self):
        return [part.strip() for part in self.text.split("\n\n") if part.strip()]


def finish_key_problem(key: str) -> str:
    return _(
        "%(key)s ends the caller’s input (<Gather>’s finishOnKey), so it is never pressed: "
        "choose another key, or another key to end the input."
    ) % {"key": key}


class CallDecision(models.Model):
    """The answer a call got when its keypad decided a reservation: a retried post of that
    step (same CallSid) hears it again instead of deciding twice."""

    call_sid = models.CharField(_("call SID"), max_length=64)
    step = models.CharField(_("step"), max_length=64)
    twiml = models.TextField(_("TwiML"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("call decision")
        verbose_name_plural = _("call decisions")
        constraints = [
            models.UniqueConstraint(fields=["call_sid", "step"], name="call_decision_once"),
        ]

    def __str__(self):
        return f"{self.call_sid} {self.step}"

    @staticmethod
    def deciding(reservation_id) -> str:
        """The step at which a call decided a reservation: a reservation's timeline reads it."""
        return f"decision-{reservation_id}"


class CallStatus(models.TextChoices):
    # Ours, before Twilio has the call.
    PENDING = "pending", _("Waiting to call")
    PLACING = "placing", _("Calling")
    # Twilio's (CallStatus), in the order a call moves through them.
    QUEUED = "queued", _("Queued at Twilio")
    INITIATED = "initiated", _("Dialling")
    RINGING = "ringing", _("Ringing")
    IN_PROGRESS = "in-progress", _("Answered")
    COMPLETED = "completed", _("Completed")
    BUSY = "busy", _("Busy")
    NO_ANSWER = "no-answer", _("No answer")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Cancelled")


class Call(models.Model):
    """The call log: one row per Twilio CallSid, for every call Airtng answers or places.

    A call Airtng places to a host is also its outbox: the row and its task are written in
    the caller's transaction, as an SMS is, before Twilio gives it a SID; an unanswered call
    is placed again (`attempts`) until its request ends. A call Airtng answers gets its row
    from its first step (ivr/call_log.py) or Twilio's status callback, whichever comes first.
    """

    Status = CallStatus

    sid = models.CharField(_("Twilio SID"), max_length=64, unique=True, null=True, blank=True)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.OUTBOUND
    )
    to = models.CharField(_("to"), max_length=32, db_index=True)
    from_number = models.CharField(_("from"), max_length=32)
    status = models.CharField(
        _("status"), max_length=12, choices=CallStatus.choices, default=CallStatus.PENDING
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True, db_index=True)
    duration = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("user"),
    )
    reservation = models.ForeignKey(
        "reservations.Reservation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("reservation"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("call log")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CallStatus.values), name="call_status_known"
            ),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.to} · {self.get_status_display()}"


class CallStep(models.Model):
    """One request Twilio made during a call, and the TwiML Airtng answered it with."""

    # No index of its own: call_step_in_order, which starts with it, serves every lookup.
    call = models.ForeignKey(
        Call,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("call"),
        db_index=False,
    )
    url = models.CharField(_("URL"), max_length=2000)
    digits = models.CharField(_("digits pressed or words said"), max_length=500, blank=True)
    twiml = models.TextField(_("TwiML answered"))
    answered_at = models.DateTimeField(_("answered"), db_index=True)

    class Meta:
        verbose_name = _("call step")
        verbose_name_plural = _("call steps")
        ordering = ["answered_at", "id"]
        indexes = [models.Index(fields=["call", "answered_at"], name="call_step_in_order")]

    def __str__(self):
        return self.url


class TreeVersion(models.Model):
    """One row whose stamp changes with every change to a menu or an option, whoever makes it.

    Database triggers (migration 0005) write it, so an edit by the admin, a data migration,
    loaddata or plain SQL all count; each process's compiled tree (ivr/tree.py) compares it.
    """

    stamp = models.BigIntegerField(_("stamp"))

    class Meta:
        verbose_name = _("phone tree version")
        verbose_name_plural = _("phone tree versions")

    def __str__(self):
        return str(self.stamp)
