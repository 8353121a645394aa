"""Fixed-window counters in the database: `limit` uses of a key per `per`, then a wait."""

from datetime import datetime, timedelta
from ipaddress import ip_address

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import RateLimit

# No limit here counts over a longer window; older rows only take space.
LONGEST_WINDOW = timedelta(days=1)


def limit_key(scope: str, value: str) -> str:
    """A row's key: the scope in clear, the value (an email, a number, an address) hashed."""
    digest = salted_hmac("airtng.limits", f"{scope}:{value}", algorithm="sha256").hexdigest()
    return f"{scope}:{digest[:64]}"


def _locked(key: str, now: datetime) -> RateLimit:
    counter, _ = RateLimit.objects.select_for_update().get_or_create(
        key=key, defaults={"window_started_at": now}
    )
    return counter


def _wait(counter: RateLimit, *, limit: int, per: timedelta, now: datetime):
    if now >= counter.window_started_at + per:
        counter.window_started_at, counter.hits = now, 0
    if counter.hits >= limit:
        return counter.window_started_at + per - now
    return None


@transaction.atomic
def take(key: str, *, limit: int, per: timedelta) -> timedelta | None:
    """Count one use of `key`: None if it is within the limit, else how long until it is.

    A refused use is not counted.
    """
    now = timezone.now()
    counter = _locked(key, now)
    wait = _wait(counter, limit=limit, per=per, now=now)
    if wait is None:
        counter.hits += 1
        counter.save(update_fields=["window_started_at", "hits"])
    return wait


def give_back(key: str) -> None:
    """Uncount one use of `key` (a log-in try that turned out to be the owner's)."""
    RateLimit.objects.filter(key=key, hits__gt=0).update(hits=F("hits") - 1)


def prune(*, now: datetime | None = None) -> int:
    """Forget counters whose every window has ended."""
    now = now or timezone.now()
    deleted, _ = RateLimit.objects.filter(window_started_at__lt=now - LONGEST_WINDOW).delete()
    return deleted


def client_address(request) -> str:
    """The client's IP address: REMOTE_ADDR, or the address TRUSTED_PROXY_COUNT proxies saw.

    Each trusted proxy appends the address it saw to X-Forwarded-For; what a client writes
    there itself comes before those and is ignored.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ip_address(address))
    except ValueError:
        return "unknown"
