"""Workers that send several SMS at once, each in its own thread: still each SMS once."""

import collections
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection, transaction

from airtng.messaging.models import Message
from airtng.messaging.services import queue_sms
from airtng.messaging.tasks import deliver_message
from tests.messaging.test_lease import PROJECT, database_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the worker processes share the test database: run on PostgreSQL")


def worker_process(settings, *args):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "PUBLIC_"))}
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", *args],
        cwd=PROJECT,
        env={
            **clean,
            "DATABASE_URL": database_url(),
            "TWILIO_ACCOUNT_SID": settings.TWILIO_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": settings.TWILIO_AUTH_TOKEN,
            "TWILIO_API_BASE_URL": settings.TWILIO_API_BASE_URL,
            "TWILIO_TIMEOUT_SECONDS": "5",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_parallel_workers_send_each_message_exactly_once(twilio, settings):
    twilio.delay = 0.05  # long enough that every thread is mid-send at once
    with transaction.atomic():
        messages = [queue_sms(to="+12015550123", body=f"Message {n}") for n in range(60)]
        # A second task for every message, as a requeue can leave: two threads race to claim it.
        for message in messages:
            deliver_message.enqueue(message.pk)

    workers = [worker_process(settings, "--batch", "--threads", "4") for _ in range(3)]
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0, 0], outputs
    sent = collections.Counter(sms["Body"] for sms in twilio.sent)
    assert sent == {f"Message {n}": 1 for n in range(60)}
    rows = Message.objects.filter(pk__in=[message.pk for message in messages])
    assert {(row.status, row.attempts) for row in rows} == {("queued", 1)}
    assert sorted(row.sid for row in rows) == sorted(sms["sid"] for sms in twilio.messages)


def test_a_threaded_worker_stopped_finishes_the_sms_it_is_sending(twilio, settings):
    twilio.delay = 1.0
    messages = [queue_sms(to="+12015550123", body=f"Message {n}") for n in range(2)]
    worker = worker_process(settings, "--threads", "2", "--interval", "0.1")
    try:
        deadline = time.monotonic() + 60
        while len(twilio.requests) < 2:
            assert time.monotonic() < deadline, "the worker did not send both"
            time.sleep(0.02)
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    finally:
        worker.kill()

    assert worker.returncode == 0, output
    rows = Message.objects.filter(pk__in=[message.pk for message in messages])
    assert {row.status for row in rows} == {"queued"}
    assert len({row.sid for row in rows}) == 2
