from django.tasks import task

from . import services


@task
def deliver_message(message_id: int):
    services.deliver(message_id)
