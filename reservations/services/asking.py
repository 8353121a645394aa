"""How a host is asked about a request: by SMS they reply to, by a link, or by a call.

../shared/PRODUCT.md, "Deciding without SMS": numbers of SMS_ONE_WAY_COUNTRIES cannot reply
by SMS, and any host may prefer a link or a call.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from accounts.models import DecideBy, User
from airtng.messaging.countries import country_of
from airtng.twilio import twilio_url
from reservations.models import Reservation

LINK_SALT = "reservations.decision_link"


def replies_cannot_reach_us(host: User) -> bool:
    return country_of(host.phone_number) in settings.SMS_ONE_WAY_COUNTRIES


def decides_without_sms(host: User) -> bool:
    """Whether the host's request SMS ends with a decision link, not "Reply accept or reject"."""
    return replies_cannot_reach_us(host) or host.decide_by in (DecideBy.LINK, DecideBy.CALL)


def is_called(host: User) -> bool:
    """Whether Airtng calls the host about each request it texts them about."""
    return replies_cannot_reach_us(host) or host.decide_by == DecideBy.CALL


def _signer():
    return signing.Signer(salt=LINK_SALT, algorithm="sha256")


def decision_link(reservation: Reservation) -> str:
    """The host's link to decide `reservation` on the web without logging in.

    Signed with SECRET_KEY, so it cannot be guessed; it names the request only, so it works
    once: after a decision, or once the request ends, it opens a page that says so.
    """
    token = _signer().sign(str(reservation.pk))
    return twilio_url(reverse("decision_link", args=[token]))


def request_of_link(token: str) -> Reservation | None:
    """The request a genuine link names, whatever its state; None for anything else."""
    try:
        pk = _signer().unsign(token)
    except signing.BadSignature:
        return None
    if not pk.isdigit():
        return None
    return Reservation.objects.select_related("guest", "property__host").filter(pk=int(pk)).first()


def link_is_open(reservation: Reservation, *, now=None) -> bool:
    """A link decides while its request is pending and the host's time to answer lasts."""
    now = now or timezone.now()
    return reservation.status == Reservation.Status.PENDING and now < reservation.answer_by


def link_for(host: User, reservation: Reservation) -> str | None:
    """The decision link the host's texts about `reservation` carry, if they decide so."""
    return decision_link(reservation) if decides_without_sms(host) else None
