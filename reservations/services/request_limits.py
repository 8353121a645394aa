"""How often a guest may ask one host: every request texts the host, and a guest who asks and
cancels in a loop must not text them without end."""

from datetime import timedelta

from django.db.models import Count, IntegerField, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from reservations.models import Reservation

from .errors import ReservationError

MAX_REQUESTS_TO_A_HOST = 3
REQUEST_WINDOW = timedelta(days=1)


class TooManyRequests(ReservationError):
    message = _("You have sent this host several requests today. You can ask again tomorrow.")


def check_request_limit(*, guest: User, host: User, sent: int | None = None) -> None:
    """TooManyRequests if `guest` sent `host` the day's limit of requests in the last day.

    Counted from the requests themselves (cancelled ones too), under the host's lock that
    request_stay holds: two requests at once cannot both pass, and no counter is written.
    `sent` is that count, if the caller read it (requests_sent_today) with other things.
    """
    if sent is None:
        sent = Reservation.objects.filter(sent_today(guest=guest, host=host)).count()
    if sent >= MAX_REQUESTS_TO_A_HOST:
        raise TooManyRequests


def sent_today(*, guest: User, host: User) -> Q:
    since = timezone.now() - REQUEST_WINDOW
    return Q(guest=guest, property__host=host, created_at__gt=since)


def requests_sent_today(*, guest: User, host: User) -> Subquery:
    """How many requests `guest` sent `host` in the last day, as a column."""
    sent = (
        Reservation.objects.filter(sent_today(guest=guest, host=host))
        .order_by()
        .values("guest")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sent, output_field=IntegerField()), 0)
