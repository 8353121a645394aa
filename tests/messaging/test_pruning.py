"""What grows per request is pruned: finished task rows and delivered SMS bodies, after
PRUNE_AFTER_DAYS, and expired sessions; the worker schedules it
(tests/messaging/test_sweeper.py)."""

from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from airtng.limits.models import RateLimit
from airtng.limits.services import limit_key, take
from airtng.messaging.models import Message, WorkerHeartbeat
from airtng.messaging.services import queue_sms
from airtng.messaging.tasks import prune_old_rows
from airtng.messaging.upkeep import beat
from airtng.models import Session
from ivr.models import Call, CallStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(twilio, run_worker):
    """An SMS sent and delivered, and its finished task."""

    def make(body):
        message = queue_sms(to="+12015550123", body=body)
        run_worker()
        Message.objects.filter(pk=message.pk).update(status="delivered")
        return message

    return make


def age(days):
    return timezone.now() - timedelta(days=days)


def test_old_task_rows_and_delivered_bodies_go_recent_ones_stay(
    delivered, run_worker, settings, time_passes
):
    settings.PRUNE_AFTER_DAYS = 30
    old, recent = delivered("Old news"), delivered("Fresh news")
    Message.objects.filter(pk=old.pk).update(created_at=age(31))
    DBTaskResult.objects.filter(args_kwargs__args=[old.pk]).update(finished_at=age(31))
    pending = queue_sms(to="+12015550124", body="Not delivered yet")
    Message.objects.filter(pk=pending.pk).update(created_at=age(40))
    beat(worker_id="gone", now=age(2))
    beat(worker_id="alive")

    prune_old_rows.enqueue()
    run_worker()

    bodies = dict(Message.objects.values_list("pk", "body"))
    assert bodies[old.pk] == ""
    assert bodies[recent.pk] == "Fresh news"
    assert bodies[pending.pk] == "Not delivered yet"
    assert not DBTaskResult.objects.filter(args_kwargs__args=[old.pk]).exists()
    assert DBTaskResult.objects.filter(args_kwargs__args=[recent.pk]).exists()
    workers = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True))
    assert "alive" in workers and "gone" not in workers


def test_a_killed_workers_task_left_running_for_ever_is_pruned_too(twilio, run_worker, settings):
    settings.PRUNE_AFTER_DAYS = 30
    abandoned = queue_sms(to="+12015550123", body="Sent by a worker killed later")
    DBTaskResult.objects.filter(args_kwargs__args=[abandoned.pk]).update(
        status=TaskResultStatus.RUNNING, started_at=age(31)
    )
    running = queue_sms(to="+12015550124", body="Being sent now")
    DBTaskResult.objects.filter(args_kwargs__args=[running.pk]).update(
        status=TaskResultStatus.RUNNING, started_at=age(0)
    )

    prune_old_rows.enqueue()
    run_worker()

    assert not DBTaskResult.objects.filter(args_kwargs__args=[abandoned.pk]).exists()
    assert DBTaskResult.objects.filter(args_kwargs__args=[running.pk]).exists()


def test_the_number_of_days_is_the_operators(delivered, run_worker, settings):
    settings.PRUNE_AFTER_DAYS = 7
    message = delivered("A week and a day old")
    Message.objects.filter(pk=message.pk).update(created_at=age(8))

    prune_old_rows.enqueue()
    run_worker()

    message.refresh_from_db()
    assert message.body == ""
    assert DBTaskResult.objects.filter(
        task_path="airtng.messaging.tasks.prune_old_rows", status=TaskResultStatus.SUCCESSFUL
    ).exists()


def test_rate_limit_counters_whose_windows_ended_are_forgotten(run_worker):
    take(limit_key("test", "old"), limit=5, per=timedelta(hours=1))
    take(limit_key("test", "current"), limit=5, per=timedelta(hours=1))
    RateLimit.objects.filter(key=limit_key("test", "old")).update(window_started_at=age(2))

    prune_old_rows.enqueue()
    run_worker()

    assert list(RateLimit.objects.values_list("key", flat=True)) == [limit_key("test", "current")]


def test_old_call_steps_go_their_calls_stay(twilio_post, run_worker, settings):
    settings.PRUNE_AFTER_DAYS = 30
    for sid in ("CA" + "1" * 32, "CA" + "2" * 32):
        twilio_post("/voice", {"CallSid": sid, "From": "+12025550188", "To": "+15005550006"})
    CallStep.objects.filter(call__sid="CA" + "1" * 32).update(answered_at=age(31))

    prune_old_rows.enqueue()
    run_worker()

    assert Call.objects.count() == 2
    assert list(CallStep.objects.values_list("call__sid", flat=True)) == ["CA" + "2" * 32]


def test_expired_sessions_are_pruned_and_a_live_one_stays_signed_in(client, make_user, run_worker):
    ada = make_user(first_name="Ada")
    client.force_login(ada)
    stale = Client()
    stale.force_login(ada)
    Session.objects.filter(session_key=stale.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    prune_old_rows.enqueue()
    run_worker()

    assert list(Session.objects.values_list("session_key", flat=True)) == [
        client.session.session_key
    ]
    assert client.get(reverse("profile")).status_code == 200
