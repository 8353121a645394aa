"""What keeps the worker honest over time: its heartbeat, and pruning what grows."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from airtng.limits import services as limits
from airtng.models import Session
from ivr import call_log

from .models import Direction, Message, Status, WorkerHeartbeat

logger = logging.getLogger(__name__)

# /healthz wants a worker seen within this long.
WORKER_SEEN_WITHIN = timedelta(minutes=1)
# A worker that stopped is forgotten after this long.
HEARTBEAT_KEPT = timedelta(days=1)
PRUNE_EVERY = timedelta(hours=1)


def beat(*, worker_id, now=None):
    """Say that the worker `worker_id` is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"seen_at": now or timezone.now()}
    )


def worker_seen(*, now=None) -> bool:
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(seen_at__gte=now - WORKER_SEEN_WITHIN).exists()


def prune_old_rows(*, now=None) -> dict:
    """Delete finished (or abandoned) task rows and call steps, and empty delivered SMS
    bodies, older than PRUNE_AFTER_DAYS; forget rate-limit counters whose windows have ended,
    and sessions that have expired (what Django's clearsessions would)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PRUNE_AFTER_DAYS)
    finished = Q(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=cutoff
    )
    # A killed worker's task stays "running" for ever; its message was requeued long ago.
    abandoned = Q(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    tasks, _ = DBTaskResult.objects.filter(finished | abandoned).delete()
    bodies = (
        Message.objects.filter(
            direction=Direction.OUTBOUND, status=Status.DELIVERED, created_at__lt=cutoff
        )
        .exclude(body="")
        .update(body="")
    )
    heartbeats, _ = WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEAT_KEPT).delete()
    rate_limits = limits.prune(now=now)
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    pruned = {
        "tasks": tasks,
        "bodies": bodies,
        "call_steps": call_log.prune_steps(before=cutoff),
        "heartbeats": heartbeats,
        "rate_limits": rate_limits,
        "sessions": sessions,
    }
    logger.info("Pruned rows older than %s days: %s", settings.PRUNE_AFTER_DAYS, pruned)
    return pruned
