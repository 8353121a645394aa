"""GET /healthz: whether this deployment can do its job, for load balancers and operators.

Answered before any other middleware, so that a load balancer calling over plain HTTP with its
own Host header gets the answer, not a redirect to HTTPS or a 400 for a host not allowed. It
says nothing but the name and state of each check, and the age of the oldest unsent SMS.
"""

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone

from airtng.messaging.models import Direction, Message, Status
from airtng.messaging.upkeep import worker_seen

PATH = "/healthz"
UNSENT = [Status.PENDING, Status.SENDING, Status.UNKNOWN]

# Migrations once applied stay applied for the life of this process's code.
_migrated = False


def migrations_applied() -> bool:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


def oldest_unsent_sms_seconds(now):
    oldest = (
        Message.objects.filter(direction=Direction.OUTBOUND, status__in=UNSENT)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return None if oldest is None else int((now - oldest).total_seconds())


def health():
    """(healthy, body): each check's state, and the age in seconds of the oldest unsent SMS."""
    now = timezone.now()
    checks = {"database": "unreachable", "migrations": "unknown", "worker": "unknown"}
    oldest = None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        checks["migrations"] = "ok" if migrations_applied() else "not applied"
        if checks["migrations"] == "ok":
            checks["worker"] = "ok" if worker_seen(now=now) else "not seen"
            oldest = oldest_unsent_sms_seconds(now)
    except DatabaseError:
        pass  # the state so far says what failed
    healthy = all(state == "ok" for state in checks.values())
    return healthy, {
        "status": "ok" if healthy else "failing",
        "checks": checks,
        "oldest_unsent_sms_seconds": oldest,
    }


def healthz(request):
    healthy, body = health()
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


def answer_health_checks(get_response):
    """Middleware, first of all: GET /healthz is answered here and goes no further."""

    def middleware(request):
        if request.path == PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return get_response(request)

    return middleware
