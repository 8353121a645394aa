"""The worker's sweeper: heartbeat, requeue what killed workers left, schedule the pruning.

It runs beside the worker in a thread of its own; a sweep that fails is logged and the next
one runs, so that a worker never looks healthy while it has stopped recovering messages.
"""

import logging
import threading

import pytest
from django.db import OperationalError
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from airtng.messaging.management.commands.db_worker import Sweep, sweep_forever
from airtng.messaging.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_a_failed_sweep_is_logged_and_the_next_one_runs(caplog):
    sweeps = []
    stop = threading.Event()

    def sweep():
        sweeps.append(len(sweeps) + 1)
        if len(sweeps) == 1:
            raise OperationalError("the database went away")
        if len(sweeps) == 3:
            stop.set()

    with caplog.at_level(logging.ERROR):
        sweeper = threading.Thread(
            target=sweep_forever, args=(stop,), kwargs={"sweep": sweep, "every": 0.01}
        )
        sweeper.start()
        sweeper.join(timeout=30)

    assert not sweeper.is_alive()
    assert sweeps == [1, 2, 3]
    [failed] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert failed.getMessage().startswith("The sweep failed")
    assert failed.exc_info[0] is OperationalError


def pruning_tasks():
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path="airtng.messaging.tasks.prune_old_rows"
    )


def test_a_sweep_writes_the_heartbeat_and_schedules_the_pruning_once_an_hour():
    sweep = Sweep("worker-1")

    sweep()
    sweep()

    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["worker-1"]
    assert pruning_tasks().count() == 1
