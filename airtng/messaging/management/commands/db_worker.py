"""django-tasks-db's worker, which also picks up messages (and calls) whose worker died mid-send.

django-tasks-db leaves a task that was running when its worker was killed marked as running
for ever; the Message row's lease is what lets another worker send it instead. Each sweep
also writes the worker's heartbeat (for /healthz) and, every hour, schedules the pruning.
"""

import logging
import os
import threading
import time

from django.core.management import CommandError
from django.db import close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from airtng.messaging import tasks
from airtng.messaging.checks import sms_would_only_be_recorded
from airtng.messaging.services import lease, requeue_stalled
from airtng.messaging.upkeep import PRUNE_EVERY, beat
from ivr.calls import requeue_stalled_calls
from reservations.services import sweep_requests

logger = logging.getLogger(__name__)

# Often enough for /healthz, which wants a heartbeat within the last minute.
LONGEST_SWEEP_INTERVAL_SECONDS = 10.0


def sweep_every_seconds() -> float:
    return min(LONGEST_SWEEP_INTERVAL_SECONDS, lease().total_seconds() / 4)


class Sweep:
    """One sweep: heartbeat, requeue what killed workers left, the reply window's reminders,
    expiries and missed offers, and prune when it is due."""

    def __init__(self, worker_id):
        self.worker_id = worker_id
        self.pruned_at = None

    def __call__(self):
        beat(worker_id=self.worker_id)
        requeue_stalled()
        requeue_stalled_calls()
        sweep_requests()
        if (
            self.pruned_at is None
            or time.monotonic() - self.pruned_at >= PRUNE_EVERY.total_seconds()
        ):
            tasks.prune_old_rows.enqueue()
            self.pruned_at = time.monotonic()


def sweep_forever(stop: threading.Event, *, sweep, every: float):
    """Run `sweep` every `every` seconds until `stop`; a failed sweep is logged, not fatal.

    A dead sweeper would leave a worker that looks healthy while killed workers' messages
    are never requeued, so nothing may end this loop but `stop`.
    """
    while not stop.wait(every):
        close_old_connections()
        try:
            sweep()
        except Exception:
            logger.exception("The sweep failed; it runs again in %s seconds", every)
        finally:
            connection.close()  # this thread's own connection


class Command(DatabaseWorkerCommand):
    help = "Run queued tasks, and requeue SMS whose lease expired. " + (
        DatabaseWorkerCommand.help or ""
    )

    def handle(self, *args, **options):
        if sms_would_only_be_recorded():
            raise CommandError(
                "No Twilio credentials: no SMS would leave Airtng. Set TWILIO_ACCOUNT_SID and "
                "TWILIO_AUTH_TOKEN, or SMS_RECORD_ONLY=true to only record each SMS on purpose."
            )
        reloads = options.get("reload") and not options.get("batch")  # as django-tasks-db
        if reloads and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The reloader's parent only watches files; the child it starts runs the tasks.
            return super().handle(*args, **options)
        sweep = Sweep(options["worker_id"])
        beat(worker_id=sweep.worker_id)
        requeue_stalled()
        requeue_stalled_calls()
        stop = threading.Event()
        if not options.get("batch"):
            threading.Thread(
                target=sweep_forever,
                args=(stop,),
                kwargs={"sweep": sweep, "every": sweep_every_seconds()},
                daemon=True,
            ).start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
