"""What the accounts app does: signing up, a user's phone number, and proof that it is theirs."""

import math
import secrets
from datetime import UTC, datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from phonenumber_field.phonenumber import PhoneNumber

from airtng.limits import services as limits
from airtng.messaging.models import Message
from airtng.messaging.opt_outs import is_opted_out
from airtng.messaging.services import expire, redact

from .languages import speaking_to
from .models import (
    CODE_TTL,
    MAX_ATTEMPTS,
    MAX_PIN_TRIES,
    MAX_SENDS_PER_HOUR,
    PIN_DIGITS,
    RESEND_INTERVAL,
    PhonePin,
    PhoneVerification,
    User,
)
from .texting import text_person

CODE_DIGITS = 6
SEND_WINDOW = timedelta(hours=1)
# Codes texted to one number, or asked for from one address, whatever the account: throwaway
# accounts must not turn Airtng into a way to flood a phone or run up an SMS bill.
MAX_SENDS_PER_NUMBER_PER_HOUR = 5
MAX_SENDS_PER_ADDRESS_PER_HOUR = 10
# Password guessing: failed log-ins per account and per client address, per window; past
# either, the password is not even checked until the window ends.
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILED_LOGINS_PER_ACCOUNT = 5
MAX_FAILED_LOGINS_PER_ADDRESS = 20
# Each sign-up sends an email, whoever owns the address: bounded per client address so that
# nobody can use Airtng to flood a mailbox.
MAX_SIGNUPS_PER_ADDRESS_PER_HOUR = 10
SIGNUP_LINK_TTL = timedelta(days=3)
SIGNUP_LINK_SALT = "accounts.signup-confirmation"


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


class NumberTaken(VerificationError):
    message = gettext_lazy(
        "This number is verified on another Airtng account. Log in to that account, or "
        "change the number on your profile."
    )


class OptedOut(VerificationError):
    @property
    def message(self):
        number = PhoneNumber.from_string(settings.TWILIO_PHONE_NUMBER).as_international
        return _(
            "You asked Airtng to stop texting you, so we cannot send a code. "
            "Text START to %(number)s, then ask again."
        ) % {"number": number}


def spoken_wait(wait: timedelta) -> str:
    """ "40 seconds", "3 minutes": how long until a limit lifts."""
    seconds = math.ceil(wait.total_seconds())
    if seconds <= 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


class SendingTooOften(VerificationError):
    def __init__(self, *, wait: timedelta):
        super().__init__()
        self.wait = wait

    @property
    def message(self):
        return _("You can ask for another code in %(wait)s.") % {"wait": spoken_wait(self.wait)}


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


def change_language(*, user: User, language: str) -> bool:
    """Make `language` the one Airtng speaks to `user`, if it speaks it. True if it changed."""
    if language not in dict(settings.LANGUAGES) or language == user.language:
        return False
    user.language = language
    user.save(update_fields=["language"])
    return True


def phone_verification_for(user: User) -> PhoneVerification | None:
    """The code last texted to the user, read afresh."""
    return PhoneVerification.objects.filter(user=user).first()


@transaction.atomic
def send_verification_code(*, user: User, client_address: str = "") -> PhoneVerification:
    """Text the user a new code for their current number; any earlier code stops working.

    Raises SendingTooOften (per account, per number, per client address), OptedOut or
    AlreadyVerified instead of texting.
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
    for key, limit in (
        (limits.limit_key("code-to-number", str(user.phone_number)), MAX_SENDS_PER_NUMBER_PER_HOUR),
        (limits.limit_key("code-from-address", client_address), MAX_SENDS_PER_ADDRESS_PER_HOUR),
    ):
        if wait := limits.take(key, limit=limit, per=SEND_WINDOW):
            raise SendingTooOften(wait=wait)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    verification.phone_number = user.phone_number
    verification.code_hash = code_hash(verification, code)
    verification.sent_at = now
    verification.expires_at = now + CODE_TTL
    verification.attempts = 0
    verification.confirmed_at = None
    verification.sends += 1
    verification.save()
    expire(Message.objects.filter(user=user), now=now)
    text_person(
        user,
        partial(code_sms, code),
        redacted=partial(code_sms, "•" * CODE_DIGITS),
        expires_at=verification.expires_at,
    )
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

    Raises NoCodeSent, CodeExpired or TooManyTries when no code can be checked, NumberTaken
    when another account verified the number first. Verifying takes the number from every
    unverified account that claims it too: their codes stop working. A host with requests
    waiting is texted the oldest once verified.
    """
    from reservations.services import offer_next_request

    # Users before codes, as when sending, so the two never wait on each other's locks; and
    # every account claiming the number, in one order, since verifying voids their codes.
    number = User.objects.filter(pk=user.pk).values_list("phone_number", flat=True).get()
    claimants = User.objects.select_for_update().filter(Q(pk=user.pk) | Q(phone_number=number))
    owner = next(claimant for claimant in claimants.order_by("pk") if claimant.pk == user.pk)
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
    others = User.objects.filter(phone_number=owner.phone_number).exclude(pk=owner.pk)
    if others.filter(phone_verified=True).exists():
        raise NumberTaken
    verification.confirmed_at = now
    verification.save(update_fields=["confirmed_at"])
    PhoneVerification.objects.filter(
        user__in=others, phone_number=owner.phone_number, confirmed_at__isnull=True
    ).delete()
    owner.phone_verified = True
    try:
        with transaction.atomic():
            # The partial unique index is the last word when two owners race.
            owner.save(update_fields=["phone_verified"])
    except IntegrityError:
        raise NumberTaken from None
    user.phone_verified = True
    redact(Message.objects.filter(user=owner))
    expire(Message.objects.filter(user=owner), now=now)
    offer_next_request(owner)
    return True


def set_phone_pin(*, user: User, pin: str) -> PhonePin:
    """Set the PIN the user enters on the phone; a new PIN gives MAX_PIN_TRIES new tries."""
    if not (len(pin) == PIN_DIGITS and pin.isascii() and pin.isdigit()):
        raise ValueError("A phone PIN is 4 digits.")
    phone_pin, _ = PhonePin.objects.update_or_create(
        user=user, defaults={"pin_hash": make_password(pin), "wrong_tries": 0}
    )
    return phone_pin


@transaction.atomic
def check_phone_pin(*, user: User, pin: str) -> bool:
    """True if `pin` is the user's; a wrong one uses one of MAX_PIN_TRIES, then none works."""
    phone_pin = PhonePin.objects.select_for_update().filter(user=user).first()
    if phone_pin is None or phone_pin.wrong_tries >= MAX_PIN_TRIES:
        return False
    if check_password(pin, phone_pin.pin_hash):
        if phone_pin.wrong_tries:
            phone_pin.wrong_tries = 0
            phone_pin.save(update_fields=["wrong_tries"])
        return True
    phone_pin.wrong_tries += 1
    phone_pin.save(update_fields=["wrong_tries"])
    return False


def phone_pin_for(user: User) -> PhonePin | None:
    return PhonePin.objects.filter(user=user).first()


def _login_limits(*, email: str, client_address: str):
    return (
        (limits.limit_key("login-account", email.strip().lower()), MAX_FAILED_LOGINS_PER_ACCOUNT),
        (limits.limit_key("login-address", client_address), MAX_FAILED_LOGINS_PER_ADDRESS),
    )


def take_login_attempt(*, email: str, client_address: str) -> timedelta | None:
    """Count a log-in try before its password is checked; how long to wait if one too many.

    Counting first, in one locked row per key, holds even for tries sent all at once.
    """
    for key, limit in _login_limits(email=email, client_address=client_address):
        if wait := limits.take(key, limit=limit, per=LOGIN_WINDOW):
            return wait
    return None


def give_back_login_attempt(*, email: str, client_address: str) -> None:
    """A try with the right password does not count against the account or the address."""
    for key, _limit in _login_limits(email=email, client_address=client_address):
        limits.give_back(key)


class SignupLinkInvalid(Exception):
    """A sign-up link that does not confirm anything; `message` is fit to show the user."""

    message = gettext_lazy(
        "This link does not work: it was already used, or it was changed. Log in, or sign up "
        "again to get a new link."
    )

    def __str__(self):
        return str(self.message)


class SignupLinkExpired(SignupLinkInvalid):
    message = gettext_lazy("This link has expired. Sign up again to get a new one.")


@transaction.atomic
def sign_up(
    *,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    phone_number: PhoneNumber,
    origin: str,
    next_url: str | None = None,
    language: str = settings.LANGUAGE_CODE,
) -> None:
    """Start a sign-up; it answers the same whether or not `email` has an account.

    A new address gets an inactive account and a link that confirms it; an address awaiting
    its link takes the latest details and a new link (earlier ones stop working); an address
    with an account gets no account, only an email saying someone tried, with log-in links.
    Every case hashes one password and sends one email, so that none is told apart by time.
    An account's email is in its own language; a new one speaks `language`.
    """
    email = email.strip().lower()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    password_hash = make_password(password)
    account = User.objects.select_for_update().filter(email__iexact=email).first()
    if account is None:
        try:
            with transaction.atomic():
                account = User.objects.create(
                    email=email,
                    password=password_hash,
                    first_name=first_name,
                    last_name=last_name,
                    phone_number=phone_number,
                    language=language,
                    is_active=False,
                    email_confirmed=False,
                )
        except IntegrityError:
            # A sign-up with the same address committed first: the unique index says so.
            account = User.objects.select_for_update().get(email__iexact=email)
            _email_signup_attempt(account=account, origin=origin)
            return
    elif account.email_confirmed:
        _email_signup_attempt(account=account, origin=origin)
        return
    else:
        account.password = password_hash
        account.first_name, account.last_name = first_name, last_name
        account.phone_number = phone_number
        account.language = language
        account.save(
            update_fields=["password", "first_name", "last_name", "phone_number", "language"]
        )
    _email_signup_link(account=account, origin=origin, next_url=next_url)


def signup_link(*, user: User, origin: str, next_url: str | None = None, now=None) -> str:
    """The link that confirms `user`'s sign-up, sent at `now`; it works once, until it expires."""
    sent = int((now or timezone.now()).timestamp())
    token = signing.dumps(
        {"user": user.pk, "sent": sent, "state": _signup_state(user)}, salt=SIGNUP_LINK_SALT
    )
    url = origin.rstrip("/") + reverse("confirm_signup", kwargs={"token": token})
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _signup_state(user: User) -> str:
    # Bound to what confirming changes, and to the password: a link is spent once it is used,
    # and a later sign-up with the same address voids the links sent before it.
    value = f"{user.pk}:{user.email}:{user.password}:{user.is_active}:{user.email_confirmed}"
    return salted_hmac(SIGNUP_LINK_SALT, value, algorithm="sha256").hexdigest()[:32]


def account_for_signup_link(*, token: str, now=None) -> User:
    """The account awaiting the link `token`; raises SignupLinkInvalid or SignupLinkExpired."""
    try:
        claim = signing.loads(token, salt=SIGNUP_LINK_SALT)
        user = User.objects.get(pk=claim["user"], email_confirmed=False)
        sent = datetime.fromtimestamp(claim["sent"], tz=UTC)
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError, ValueError):
        raise SignupLinkInvalid from None
    if not constant_time_compare(str(claim.get("state")), _signup_state(user)):
        raise SignupLinkInvalid
    if (now or timezone.now()) >= sent + SIGNUP_LINK_TTL:
        raise SignupLinkExpired
    return user


@transaction.atomic
def confirm_signup(*, token: str, now=None) -> User:
    """Follow a sign-up link: the account is confirmed and active. Raises as
    account_for_signup_link; a link works once, even when followed twice at the same time.
    """
    user = account_for_signup_link(token=token, now=now)
    # Read again under the row's lock: of two clicks at once, the second sees it spent.
    User.objects.select_for_update().filter(pk=user.pk).get()
    user = account_for_signup_link(token=token, now=now)
    user.is_active = user.email_confirmed = True
    user.save(update_fields=["is_active", "email_confirmed"])
    return user


def awaits_signup_link(*, email: str, password: str) -> bool:
    """True if `email` and `password` are those of a sign-up not confirmed yet."""
    account = User.objects.filter(email__iexact=email.strip(), email_confirmed=False).first()
    if account is None:
        make_password(password)  # as long as a check, so time does not say which it was
        return False
    return account.check_password(password)


def _email_signup_link(*, account: User, origin: str, next_url: str | None) -> None:
    link = signup_link(user=account, origin=origin, next_url=next_url)
    days = SIGNUP_LINK_TTL.days
    context = {"user": account, "link": link, "days": days}
    with speaking_to(account):
        send_mail(
            _("Confirm your email address to finish signing up to Airtng"),
            render_to_string("accounts/email/signup_link.txt", context),
            None,
            [account.email],
        )


def _email_signup_attempt(*, account: User, origin: str) -> None:
    origin = origin.rstrip("/")
    context = {
        "user": account,
        "login_link": origin + reverse("login"),
        "reset_link": origin + reverse("password_reset"),
    }
    with speaking_to(account):
        send_mail(
            _("Someone tried to sign up to Airtng with your email address"),
            render_to_string("accounts/email/signup_attempt.txt", context),
            None,
            [account.email],
        )


def take_signup_attempt(*, client_address: str) -> timedelta | None:
    """Count a sign-up try from `client_address`; how long to wait if it is one too many."""
    key = limits.limit_key("signup-from-address", client_address)
    return limits.take(key, limit=MAX_SIGNUPS_PER_ADDRESS_PER_HOUR, per=SEND_WINDOW)
