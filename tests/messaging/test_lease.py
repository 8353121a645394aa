"""A worker killed mid-send: the next `db_worker` finishes its SMS, and never sends one twice."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from airtng.messaging.models import Message, Status
from airtng.messaging.services import LEASE, queue_sms, requeue_stalled

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]


def killed_mid_send(message, *, lease_left, sid=None):
    """The rows a worker leaves behind when it dies after claiming `message`.

    django-tasks-db marks the task running, for ever; the message is ours, leased, sending.
    """
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=10)
    )
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING,
        attempts=1,
        lease_expires_at=timezone.now() + lease_left,
        sid=sid,
    )


def test_a_message_whose_lease_expired_is_sent_by_the_next_worker(twilio, run_worker):
    message = queue_sms(to="+12015550123", body="Your stay starts tomorrow.")
    killed_mid_send(message, lease_left=-timedelta(seconds=1))

    run_worker()

    assert [sms["Body"] for sms in twilio.sent] == ["Your stay starts tomorrow."]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.lease_expires_at) == ("queued", 2, None)


def test_a_message_still_leased_by_a_live_worker_is_left_alone(twilio, run_worker):
    message = queue_sms(to="+12015550123", body="Your stay starts tomorrow.")
    killed_mid_send(message, lease_left=timedelta(minutes=1))

    run_worker()

    assert twilio.requests == []
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sending", 1)


def test_a_still_leased_message_is_not_taken_even_if_its_task_runs_again(twilio, run_worker):
    message = queue_sms(to="+12015550123", body="Hi")
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING, attempts=1, lease_expires_at=timezone.now() + timedelta(minutes=1)
    )

    run_worker()

    assert twilio.requests == []
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sending", 1)


def test_a_message_twilio_already_took_is_finished_without_sending_it_again(twilio, run_worker):
    message = queue_sms(to="+12015550123", body="Your stay starts tomorrow.")
    sid = "SM" + "a" * 32
    killed_mid_send(message, lease_left=-timedelta(seconds=1), sid=sid)

    run_worker()

    assert twilio.requests == []
    message.refresh_from_db()
    assert (message.status, message.sid, message.lease_expires_at) == ("queued", sid, None)


def test_a_message_whose_task_went_missing_is_sent(twilio, run_worker):
    message = queue_sms(to="+12015550123", body="Hi")
    DBTaskResult.objects.all().delete()
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=1))

    run_worker()

    assert [sms["Body"] for sms in twilio.sent] == ["Hi"]


def database_url():
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_sends_the_sms_a_killed_worker_left(twilio, settings):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the worker process needs a database it can share with the test: "
            "run with DATABASE_URL=postgres://… (the SQLite test database is in memory)"
        )
    message = queue_sms(to="+12015550123", body="Your stay starts tomorrow.")
    killed_mid_send(message, lease_left=-timedelta(seconds=1))
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "PUBLIC_"))}

    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=PROJECT,
        env={
            **environ,
            "DATABASE_URL": database_url(),
            "TWILIO_ACCOUNT_SID": settings.TWILIO_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": settings.TWILIO_AUTH_TOKEN,
            "TWILIO_API_BASE_URL": settings.TWILIO_API_BASE_URL,
            "PUBLIC_BASE_URL": "https://airtng.example.com",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert worker.returncode == 0, worker.stderr
    assert twilio.sent == [
        {
            "To": "+12015550123",
            "From": "+15005550006",
            "Body": "Your stay starts tomorrow.",
            "StatusCallback": "https://airtng.example.com/sms/status",
            "SmartEncoded": "true",
        }
    ]
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 2)
    assert message.sid.startswith("SM")


def test_a_long_backlog_gets_one_more_task_per_lease_not_one_per_sweep(db):
    message = queue_sms(to="+12015550123", body="waiting its turn")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    tasks = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert tasks.count() == 1

    first = requeue_stalled()
    second = requeue_stalled(now=timezone.now() + timedelta(seconds=30))
    after_a_lease = requeue_stalled(now=timezone.now() + LEASE + timedelta(seconds=1))

    assert (first, second, after_a_lease) == (1, 0, 1)
    assert tasks.count() == 3
