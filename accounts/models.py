from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import to_python


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
        number = to_python(raw_number)
        if not number or not number.is_valid():
            return None
        return self.filter(phone_number=number, phone_verified=True).first()


class User(AbstractUser):
    username = None
    email = models.EmailField(
        _("email address"),
        unique=True,
        error_messages={"unique": _("An account with this email address already exists.")},
    )
    phone_number = PhoneNumberField(
        _("mobile phone number"),
        unique=True,
        error_messages={"unique": _("An account with this phone number already exists.")},
    )
    phone_verified = models.BooleanField(_("phone number verified"), default=False)
    sms_opted_out = models.BooleanField(
        _("opted out of SMS"),
        default=False,
        help_text=_("Replied STOP: Airtng sends no SMS until they reply START."),
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
        ]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def can_be_texted(self):
        """Only a verified number that has not opted out gets SMS about reservations."""
        return self.phone_verified and not self.sms_opted_out

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)
