from django.tasks import task


@task
def deliver_message(message_id: int):
    from .services import deliver  # services enqueue this task

    deliver(message_id)
