"""The worker says on stdout, one line per event, which task and which SMS each event is about."""

import re

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from airtng.messaging.services import queue_sms
from tests.fake_twilio import Answer

pytestmark = pytest.mark.django_db


def logged(capsys):
    return capsys.readouterr().out.splitlines()


def test_a_failed_sms_is_logged_with_its_task_and_message_id(twilio, run_worker, capsys):
    twilio.answer_next(Answer(status=400, code=21211))
    message = queue_sms(to="+12015550123", body="Hi")
    task = DBTaskResult.objects.get()
    capsys.readouterr()

    run_worker()

    [line] = [line for line in logged(capsys) if "failed" in line]
    assert re.search(
        rf" WARNING airtng\.messaging\.services \[task {task.id}\] SMS {message.pk} failed: ", line
    )


def test_a_task_that_raises_is_logged_with_its_traceback_on_one_line(
    twilio, transactional_db, capsys
):
    queue_sms(to="+12015550123", body="Hi")
    # A task whose arguments no longer fit it: it raises inside the worker.
    DBTaskResult.objects.update(args_kwargs={"args": [], "kwargs": {"no_such": 1}})
    capsys.readouterr()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=1)

    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    [line] = [line for line in logged(capsys) if " ERROR " in line]
    assert " ERROR django.tasks " in line
    assert "state=FAILED" in line
    assert "TypeError" in line
