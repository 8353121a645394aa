"""django-tasks-db's worker, which also picks up messages (and calls) whose worker died mid-send.

django-tasks-db leaves a task that was running when its worker was killed marked as running
for ever; the Message row's lease is what lets another worker send it instead. Each sweep
also writes the worker's heartbeat (for /healthz) and, every hour, schedules the pruning.
"""

import logging
import os
import signal
import threading
import time

from django.conf import settings
from django.core.management import CommandError
from django.db import close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from airtng.messaging import tasks
from airtng.messaging.checks import sms_would_only_be_recorded
from airtng.messaging.services import get_ready_to_send, lease, requeue_stalled
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


SIGNALS = ("SIGINT", "SIGTERM", "SIGQUIT")


class Workers:
    """django-tasks-db's Worker loop, `threads` times over in one process.

    An SMS spends nearly all its time waiting for Twilio's answer, so one loop sends a few
    per second at most. Each loop claims its task as any worker does (SELECT … FOR UPDATE
    SKIP LOCKED) and each message by its conditional claim, so a message is still sent by
    one of them only. A signal lets every loop finish its task; a second one exits at once.
    """

    def __init__(self, threads, *, worker_id, **options):
        self.loops = [Worker(worker_id=f"{worker_id}-{n}", **options) for n in range(threads)]
        self.stopping = False

    def shutdown(self, signum, frame):
        if self.stopping:
            logger.warning(
                "%s again: stopping without finishing the tasks", signal.strsignal(signum)
            )
            os._exit(1)
        logger.warning("%s: finishing the running tasks", signal.strsignal(signum))
        self.stopping = True
        for loop in self.loops:
            loop.running = False

    def run(self):
        signals = [getattr(signal, name) for name in SIGNALS if hasattr(signal, name)]
        before = {number: signal.signal(number, self.shutdown) for number in signals}
        try:
            self.run_threads()
        finally:
            for number, handler in before.items():
                signal.signal(number, handler)

    def run_threads(self):
        threads = [
            threading.Thread(target=self.run_loop, args=(loop,), name=f"tasks-{n}")
            for n, loop in enumerate(self.loops)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)  # the main thread stays free to take signals

    @staticmethod
    def run_loop(loop):
        try:
            loop.run()
        finally:
            connection.close()  # this thread's own connection


class Command(DatabaseWorkerCommand):
    help = "Run queued tasks, and requeue SMS whose lease expired. " + (
        DatabaseWorkerCommand.help or ""
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="Tasks run at once, each in its own thread (default: WORKER_THREADS; "
            "always 1 with --reload)",
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
        get_ready_to_send()  # before the first beat: a worker polling is ready
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
        # A batch (a test, a one-off pass) runs its tasks in order, one at a time.
        threads = options.pop("threads") or (1 if options.get("batch") else settings.WORKER_THREADS)
        try:
            if threads <= 1 or reloads:
                return super().handle(*args, **options)
            return self.run_threads(threads, **options)
        finally:
            stop.set()

    def run_threads(self, threads, **options):
        self.configure_logging(options["verbosity"])
        Workers(
            threads,
            worker_id=options["worker_id"],
            queue_names=options["queue_name"].split(","),
            excluded_queue_names=[q for q in options["exclude_queues"].split(",") if q],
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
        ).run()
