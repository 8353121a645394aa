from django.tasks import task

from airtng.logs import doing


@task(takes_context=True)
def place_call(context, call_id: int):
    from .calls import place  # calls enqueue this task

    token = doing.set(f"task {context.task_result.id}")
    try:
        place(call_id)
    finally:
        doing.reset(token)
