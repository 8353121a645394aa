"""How often a guest may ask one host: every request texts the host, and a guest who asks and
cancels in a loop must not text them without end."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from reservations.models import Reservation

from .errors import ReservationError

MAX_REQUESTS_TO_A_HOST = 3
REQUEST_WINDOW = timedelta(days=1)


class TooManyRequests(ReservationError):
    message = _("You have sent this host several requests today. You can ask again tomorrow.")


def check_request_limit(*, guest: User, host: User) -> None:
    """TooManyRequests if `guest` sent `host` the day's limit of requests in the last day.

    Counted from the requests themselves (cancelled ones too), under the host's lock that
    request_stay holds: two requests at once cannot both pass, and no counter is written.
    """
    since = timezone.now() - REQUEST_WINDOW
    sent = Reservation.objects.filter(guest=guest, property__host=host, created_at__gt=since)
    if sent.count() >= MAX_REQUESTS_TO_A_HOST:
        raise TooManyRequests
