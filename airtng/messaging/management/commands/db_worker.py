"""django-tasks-db's worker, which also picks up messages whose worker died mid-send.

django-tasks-db leaves a task that was running when its worker was killed marked as running
for ever; the Message row's lease is what lets another worker send it instead.
"""

import threading

from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from airtng.messaging.services import LEASE, requeue_stalled
from reservations.services import sweep_requests

SWEEP_EVERY_SECONDS = LEASE.total_seconds() / 4


def sweep_forever(stop: threading.Event):
    while not stop.wait(SWEEP_EVERY_SECONDS):
        close_old_connections()
        try:
            requeue_stalled()
            sweep_requests()  # reminders, expiries and missed offers of the reply window
        finally:
            connection.close()  # this thread's own connection


class Command(DatabaseWorkerCommand):
    help = "Run queued tasks, and requeue SMS whose lease expired. " + (
        DatabaseWorkerCommand.help or ""
    )

    def handle(self, *args, **options):
        requeue_stalled()
        stop = threading.Event()
        if not options.get("batch"):
            threading.Thread(target=sweep_forever, args=(stop,), daemon=True).start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
