from collections.abc import Sequence

from django.db.models import Model
from django.tasks import task
from django.tasks.signals import task_enqueued

from airtng.db import insert_together
from airtng.logs import doing


@task(takes_context=True)
def deliver_message(context, message_id: int):
    from .services import deliver  # services enqueue this task

    token = doing.set(f"task {context.task_result.id}")
    try:
        deliver(message_id)
    finally:
        doing.reset(token)


@task(takes_context=True)
def check_at_twilio(context, message_id: int):
    from .services import check_sent_at_twilio

    token = doing.set(f"task {context.task_result.id}")
    try:
        check_sent_at_twilio(message_id)
    finally:
        doing.reset(token)


@task
def prune_old_rows():
    from .upkeep import prune_old_rows

    return prune_old_rows()


def enqueue_deliveries(message_ids: list[int], *, along: Sequence[Model] = ()) -> None:
    """deliver_message.enqueue() for each message, in one INSERT of their task rows.

    `along`, new rows of other tables, are inserted with them: in the same statement where the
    database can (airtng.db.insert_together).
    """
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend = deliver_message.get_backend()
    if not hasattr(backend, "_get_id"):
        for message_id in message_ids:
            deliver_message.enqueue(message_id)
        insert_together(along)
        return
    # The rows django-tasks-db's DatabaseBackend.enqueue writes, written together.
    rows = [
        DBTaskResult(
            id=backend._get_id(),
            args_kwargs={"args": [message_id], "kwargs": {}},
            priority=deliver_message.priority,
            task_path=deliver_message.module_path,
            queue_name=deliver_message.queue_name,
            run_after=deliver_message.run_after or get_date_max(),
            backend_name=backend.alias,
        )
        for message_id in message_ids
    ]
    insert_together(rows, along)
    for row in rows:
        task_enqueued.send(type(backend), task_result=row.task_result)
