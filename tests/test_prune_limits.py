"""Rate-limit counters grow per account, number and address; `prune_limits` forgets old ones."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from airtng.limits.models import RateLimit


def test_it_forgets_counters_older_than_a_day_and_keeps_the_rest(db):
    now = timezone.now()
    RateLimit.objects.create(key="old", window_started_at=now - timedelta(days=1, minutes=1))
    RateLimit.objects.create(key="recent", window_started_at=now - timedelta(hours=23))
    out = StringIO()

    call_command("prune_limits", stdout=out)

    assert list(RateLimit.objects.values_list("key", flat=True)) == ["recent"]
    assert out.getvalue().strip() == "1 counters forgotten."
