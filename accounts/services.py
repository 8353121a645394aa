"""What the accounts app does: a user's phone number, and proof that it is theirs."""

import math
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from phonenumber_field.phonenumber import PhoneNumber

from airtng.messaging.opt_outs import is_opted_out
from airtng.messaging.services import queue_sms

from .models import (
    CODE_TTL,
    MAX_ATTEMPTS,
    MAX_SENDS_PER_HOUR,
    RESEND_INTERVAL,
    PhoneVerification,
    User,
)

CODE_DIGITS = 6
SEND_WINDOW = timedelta(hours=1)


class VerificationError(Exception):
    """A verification step the product refuses; `message` is fit to show the user."""

    message = gettext_lazy("Your phone number cannot be verified right now.")

    def __str__(self):
        return str(self.message)


class AlreadyVerified(VerificationError):
    message = gettext_lazy("Your phone number is already verified.")


class NoCodeSent(VerificationError):
    message = gettext_lazy("There is no code to check: ask for one first.")


class CodeExpired(VerificationError):
    message = gettext_lazy("That code has expired. Ask for a new one.")


class TooManyTries(VerificationError):
    message = gettext_lazy("That code was tried too many times. Ask for a new one.")


class OptedOut(VerificationError):
    @property
    def message(self):
        number = PhoneNumber.from_string(settings.TWILIO_PHONE_NUMBER).as_international
        return _(
            "You asked Airtng to stop texting you, so we cannot send a code. "
            "Text START to %(number)s, then ask again."
        ) % {"number": number}


class SendingTooOften(VerificationError):
    def __init__(self, *, wait: timedelta):
        super().__init__()
        self.wait = wait

    @property
    def message(self):
        seconds = math.ceil(self.wait.total_seconds())
        if seconds <= 60:
            wait = ngettext("%(count)d second", "%(count)d seconds", seconds)
            wait %= {"count": seconds}
        else:
            minutes = math.ceil(seconds / 60)
            wait = ngettext("%(count)d minute", "%(count)d minutes", minutes)
            wait %= {"count": minutes}
        return _("You can ask for another code in %(wait)s.") % {"wait": wait}


@transaction.atomic
def change_phone_number(*, user: User, phone_number: PhoneNumber) -> bool:
    """Give the user `phone_number`; a number that changed is unverified until its code is
    confirmed, whoever changes it. True if it changed.
    """
    stored = User.objects.select_for_update().values_list("phone_number", flat=True).get(pk=user.pk)
    user.phone_number = phone_number
    # Compare numbers, not what was typed: "(201) 555-0123" is the stored +12015550123.
    if phone_number == stored:
        return False
    user.phone_verified = False
    user.save(update_fields=["phone_number", "phone_verified"])
    return True


def phone_verification_for(user: User) -> PhoneVerification | None:
    """The code last texted to the user, read afresh."""
    return PhoneVerification.objects.filter(user=user).first()


@transaction.atomic
def send_verification_code(*, user: User) -> PhoneVerification:
    """Text the user a new code for their current number; any earlier code stops working.

    Raises SendingTooOften, OptedOut or AlreadyVerified instead of texting.
    """
    # Locking the user makes concurrent sends for one user take turns.
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.phone_verified:
        raise AlreadyVerified
    if is_opted_out(user.phone_number):
        raise OptedOut
    now = timezone.now()
    verification = phone_verification_for(user) or PhoneVerification(user=user, sends_since=now)
    if verification.pk is not None:
        if wait := wait_before_sending(verification, now=now):
            raise SendingTooOften(wait=wait)
        if now >= verification.sends_since + SEND_WINDOW:
            verification.sends_since, verification.sends = now, 0
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    verification.phone_number = user.phone_number
    verification.code_hash = code_hash(verification, code)
    verification.sent_at = now
    verification.expires_at = now + CODE_TTL
    verification.attempts = 0
    verification.confirmed_at = None
    verification.sends += 1
    verification.save()
    queue_sms(to=user.phone_number, body=code_sms(code), user=user)
    return verification


def wait_before_sending(verification: PhoneVerification, *, now: datetime) -> timedelta | None:
    """How long until another code may be texted, or None if it may be texted now."""
    until = verification.sent_at + RESEND_INTERVAL
    if verification.sends >= MAX_SENDS_PER_HOUR:
        until = max(until, verification.sends_since + SEND_WINDOW)
    return until - now if until > now else None


def code_hash(verification: PhoneVerification, code: str) -> str:
    # Bound to the user and the number, so a code proves only this number for this user.
    value = f"{verification.user_id}:{verification.phone_number}:{code}"
    return salted_hmac("accounts.PhoneVerification", value, algorithm="sha256").hexdigest()


def code_sms(code: str) -> str:
    minutes = CODE_TTL // timedelta(minutes=1)
    return ngettext(
        "Your Airtng code is %(code)s. It expires in %(minutes)d minute.",
        "Your Airtng code is %(code)s. It expires in %(minutes)d minutes.",
        minutes,
    ) % {"code": code, "minutes": minutes}


@transaction.atomic
def confirm_phone(*, user: User, code: str) -> bool:
    """Check a texted code: True verifies the number, False counts one of MAX_ATTEMPTS tries.

    Raises NoCodeSent, CodeExpired or TooManyTries when no code can be checked; a host
    with requests waiting is texted the oldest once verified.
    """
    from reservations.services import offer_next_request

    # Users before codes, as when sending, so the two never wait on each other's locks.
    owner = User.objects.select_for_update().get(pk=user.pk)
    verification = PhoneVerification.objects.select_for_update().filter(user=owner).first()
    if (
        verification is None
        or verification.confirmed_at is not None
        or verification.phone_number != owner.phone_number
    ):
        raise NoCodeSent
    if verification.attempts >= MAX_ATTEMPTS:
        raise TooManyTries
    now = timezone.now()
    if now >= verification.expires_at:
        raise CodeExpired
    if not constant_time_compare(verification.code_hash, code_hash(verification, code)):
        verification.attempts += 1
        verification.save(update_fields=["attempts"])
        return False
    verification.confirmed_at = now
    verification.save(update_fields=["confirmed_at"])
    owner.phone_verified = user.phone_verified = True
    owner.save(update_fields=["phone_verified"])
    offer_next_request(owner)
    return True
