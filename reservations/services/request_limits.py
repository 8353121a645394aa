"""How often a guest may ask one host: every request texts the host, and a guest who asks and
cancels in a loop must not text them without end."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from airtng.limits import services as limits

from .errors import ReservationError

MAX_REQUESTS_TO_A_HOST = 3
REQUEST_WINDOW = timedelta(days=1)


class TooManyRequests(ReservationError):
    message = _("You have sent this host several requests today. You can ask again tomorrow.")


def count_request(*, guest: User, host: User) -> None:
    """Count one request from `guest` to `host`; TooManyRequests past the day's limit."""
    key = limits.limit_key("requests-to-host", f"{guest.pk}:{host.pk}")
    if limits.take(key, limit=MAX_REQUESTS_TO_A_HOST, per=REQUEST_WINDOW):
        raise TooManyRequests
