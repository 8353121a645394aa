from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from airtng.messaging.countries import valid_number
from airtng.messaging.opt_outs import is_opted_out

# Phone verification: a code lives 10 minutes and allows 5 wrong tries; sending one is
# limited so that nobody can use Airtng to flood a number with texts.
CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_INTERVAL = timedelta(seconds=60)
MAX_SENDS_PER_HOUR = 5


class AccountManager(UserManager):
    """Users log in with their email, compared without regard to case."""

    def _create_user(self, email, password, **extra_fields):
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def with_verified_number(self, raw_number):
        """The user whose verified phone is `raw_number` (as Twilio sends it), or None."""
        number = valid_number(raw_number)
        if number is None:
            return None
        # Asked on every webhook: a raw read costs a sixth of building the ORM's query.
        # At most one verified account has a number (user_verified_phone_number_unique).
        found = self.raw(
            f"SELECT * FROM {self.model._meta.db_table} "
            "WHERE phone_number = %s AND phone_verified LIMIT 1",
            [number.e164],
        )
        return next(iter(found), None)


def verified_number_owner(users, raw_number):
    """The one of `users` (a queryset, e.g. locking) whose verified phone is `raw_number`."""
    number = valid_number(raw_number)
    if number is None:
        return None
    return users.filter(phone_number=number.e164, phone_verified=True).first()


class DecideBy(models.TextChoices):
    """How a host is asked about a request (../shared/PRODUCT.md, "Deciding without SMS")."""

    SMS = "sms", _("Text me; I reply accept or reject")
    LINK = "link", _("Text me a link to decide on the web")
    CALL = "call", _("Call me, and text me the link too")


class User(AbstractUser):
    username = None
    email = models.EmailField(
        _("email address"),
        unique=True,
        error_messages={"unique": _("An account with this email address already exists.")},
    )
    # Unique once verified only (Meta): an unverified claim must not block the number's owner.
    phone_number = PhoneNumberField(_("mobile phone number"), db_index=True)
    phone_verified = models.BooleanField(_("phone number verified"), default=False)
    # False from a web sign-up until its emailed link is followed; such an account is also
    # inactive. Accounts made any other way (admin, seed_demo, createsuperuser) start confirmed.
    email_confirmed = models.BooleanField(_("email address confirmed"), default=True)
    # Everything Airtng writes for this person (pages, SMS, calls, email) is in this language.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    decide_by = models.CharField(
        _("how requests reach me"), max_length=4, choices=DecideBy.choices, default=DecideBy.SMS
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "phone_number"]

    objects = AccountManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message=_("An account with this email address already exists."),
            ),
            models.UniqueConstraint(
                fields=["phone_number"],
                condition=models.Q(phone_verified=True),
                name="user_verified_phone_number_unique",
                violation_error_message=_("This phone number is verified on another account."),
            ),
        ]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def can_be_texted(self):
        """Only a verified number that has not opted out gets SMS about reservations.

        A user read with an `opted_out` annotation (the query after the host's lock reads one)
        costs no query.
        """
        if "opted_out" in self.__dict__:
            return self.phone_verified and not self.opted_out
        return self.phone_verified and not is_opted_out(self.phone_number)

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


class PhoneBookVersion(models.Model):
    """One row whose stamp changes whenever a verified number, or its owner's language, does.

    Database triggers (migration 0009) write it, so the admin, a data migration, loaddata or
    plain SQL all count; each process's phone book (accounts/phone_book.py) compares it.
    """

    stamp = models.BigIntegerField(_("stamp"))

    class Meta:
        verbose_name = _("phone book version")
        verbose_name_plural = _("phone book versions")

    def __str__(self):
        return str(self.stamp)


class PhoneVerification(models.Model):
    """The code last texted to a user to prove the number is theirs, and how often we texted.

    Only an HMAC of the code is kept: a six-digit code is guessed from a plain hash in
    a moment, but not without the SECRET_KEY.
    """

    user = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        related_name="phone_verification",
        verbose_name=_("user"),
    )
    phone_number = PhoneNumberField(_("texted to"))
    code_hash = models.CharField(_("code hash"), max_length=64)
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # Sends are capped per hour counted from the first send of that hour.
    sends_since = models.DateTimeField(_("counting sends since"))
    sends = models.PositiveSmallIntegerField(_("sends this hour"), default=0)

    class Meta:
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("sent_at")),
                name="phone_verification_expires_after_sending",
            ),
            models.CheckConstraint(
                condition=models.Q(attempts__lte=MAX_ATTEMPTS),
                name="phone_verification_attempts_capped",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.phone_number}"

    @property
    def tries_left(self):
        return max(MAX_ATTEMPTS - self.attempts, 0)


# A phone PIN proves a caller owns the number when the network cannot say so.
PIN_DIGITS = 4
MAX_PIN_TRIES = 5


class PhonePin(models.Model):
    """The 4-digit PIN a host enters on a call to Airtng; only its hash is kept."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="phone_pin", verbose_name=_("user")
    )
    pin_hash = models.CharField(_("PIN hash"), max_length=128)
    wrong_tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    set_at = models.DateTimeField(_("set"), auto_now=True)

    class Meta:
        verbose_name = _("phone PIN")
        verbose_name_plural = _("phone PINs")

    def __str__(self):
        return str(self.user)

    @property
    def tries_left(self):
        return max(MAX_PIN_TRIES - self.wrong_tries, 0)
