from django.tasks import task

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
