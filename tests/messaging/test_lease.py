"""A worker killed mid-send: the next `db_worker` finishes its SMS, and never sends one twice."""

import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from airtng.messaging import services
from airtng.messaging.models import Message, Status
from airtng.messaging.services import lease, queue_sms, requeue_stalled
from tests.fake_twilio import Answer

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
            "StatusCallback": f"https://airtng.example.com/sms/status?message={message.pk}",
            "SmartEncoded": "true",
        }
    ]
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 2)
    assert message.sid.startswith("SM")


def test_a_long_backlog_gets_one_more_task_per_lease_not_one_per_sweep(db):
    message = queue_sms(to="+12015550123", body="waiting its turn")
    Message.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - lease() - timedelta(seconds=1)
    )
    tasks = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert tasks.count() == 1

    first = requeue_stalled()
    second = requeue_stalled(now=timezone.now() + lease() / 2)
    after_a_lease = requeue_stalled(now=timezone.now() + lease() + timedelta(seconds=1))

    assert (first, second, after_a_lease) == (1, 0, 1)
    assert tasks.count() == 3


STALE_OUTCOMES = {
    "gave up": lambda message: services.give_up(message, code=21211, reason="Invalid number"),
    "retry later": lambda message: services.retry_later(message, code=20500, reason="Error"),
    "finished": lambda message: services.finish(message, status="sent", sid="SM" + "b" * 32),
    "may have been sent": lambda message: services.may_have_been_sent(message, reason="cut"),
}


@pytest.mark.parametrize("outcome", STALE_OUTCOMES.values(), ids=STALE_OUTCOMES.keys())
def test_a_stalled_worker_coming_back_cannot_overwrite_the_next_workers_result(
    twilio, run_worker, outcome
):
    message = queue_sms(to="+12015550123", body="Your stay starts tomorrow.")
    # A worker claimed it and stalled until its lease ran out…
    stalled = services.claim(message.pk, now=timezone.now() - lease() - timedelta(seconds=1))
    # …the next worker sent it…
    run_worker()
    message.refresh_from_db()
    sent = (message.status, message.sid, message.error_code, message.attempts)
    assert sent[0] == "queued"

    # …and then the stalled worker's answer from Twilio comes in.
    released = outcome(stalled)

    assert released is False
    message.refresh_from_db()
    assert (message.status, message.sid, message.error_code, message.attempts) == sent
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert services.retry_failed(message) is False  # nothing for staff to send twice
    assert len(twilio.requests) == 1


def test_the_lease_is_the_longest_a_send_can_take_plus_a_margin(twilio, settings):
    settings.TWILIO_TIMEOUT_SECONDS = 4
    message = queue_sms(to="+12015550123", body="Hi")
    now = timezone.now()

    claimed = services.claim(message.pk, now=now)

    # Connecting and waiting for Twilio's answer may each take the whole timeout.
    assert claimed.lease_expires_at == now + timedelta(seconds=2 * 4) + services.LEASE_MARGIN
    assert timedelta(seconds=30) >= services.LEASE_MARGIN


def worker_process(settings, **environ):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "PUBLIC_"))}
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
        cwd=PROJECT,
        env={
            **clean,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url(),
            "TWILIO_ACCOUNT_SID": settings.TWILIO_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": settings.TWILIO_AUTH_TOKEN,
            "TWILIO_API_BASE_URL": settings.TWILIO_API_BASE_URL,
            **environ,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, *, within):
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_is_recovered_by_another_within_a_lease(twilio, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker processes share the test database: run on PostgreSQL")
    timeout = 1  # TWILIO_TIMEOUT_SECONDS of both workers
    settings.TWILIO_TIMEOUT_SECONDS = timeout
    the_lease = lease()
    twilio.answer_next(Answer(status=500, code=20500, delay=30))  # Twilio never answers it
    message = queue_sms(to="+12015550123", body="Your stay starts tomorrow.")
    first = worker_process(settings, TWILIO_TIMEOUT_SECONDS=str(timeout))
    try:
        wait_for(lambda: len(twilio.requests) == 1, within=60)
        first.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        first.wait(timeout=10)
    finally:
        first.kill()

    second = worker_process(settings, TWILIO_TIMEOUT_SECONDS=str(timeout))
    try:
        wait_for(lambda: len(twilio.requests) == 2, within=the_lease.total_seconds() + 60)
        recovered_in = time.monotonic() - killed_at
        wait_for(lambda: Message.objects.get(pk=message.pk).status == "queued", within=30)
    finally:
        second.terminate()
        output = second.communicate(timeout=30)[0]

    # Sent by the second worker once the first one's lease ran out.
    assert len(twilio.sent) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sid) == (
        "queued",
        2,
        twilio.messages[0]["sid"],
    )
    assert f"SMS {message.pk} requeued: its worker died" in output
    # A generous bound: the lease, two sweeps and a slow machine's start-up.
    assert recovered_in < the_lease.total_seconds() + 30


@pytest.mark.django_db(transaction=True)
def test_a_copy_sent_by_a_worker_that_died_before_recording_it_is_noted_by_its_callback(
    twilio, run_worker, live_server, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    message = queue_sms(to="+12015550123", body="Your stay starts tomorrow.")
    # A worker sent it, Twilio took it, and the worker died before writing down the SID.
    run_worker()
    first_sid = Message.objects.get(pk=message.pk).sid
    Message.objects.filter(pk=message.pk).update(sid=None)
    killed_mid_send(message, lease_left=-timedelta(seconds=1))

    run_worker()  # delivery is at least once: the next worker sends it again
    message.refresh_from_db()
    second_sid = message.sid
    callbacks = [twilio.report(sid, "delivered") for sid in (first_sid, second_sid)]

    assert len(twilio.sent) == 2
    assert [callback.status_code for callback in callbacks] == [204, 204]
    message.refresh_from_db()
    assert (message.sid, message.duplicate_sids, message.status) == (
        second_sid,
        [first_sid],
        "delivered",
    )
