"""SMS queued together are written together: one INSERT for their rows, one for their tasks.

A request that texts two people (the guest the outcome, the host their next request) would
otherwise pay four round-trips for what two can carry; on PostgreSQL the rows that name the SMS
(the host's offer) ride in the tasks' INSERT. Inside `sending_together()`, queue_sms
keeps the new rows in memory; they are written when the block ends, or earlier when a caller
needs their ids (`write_queued_sms()`), and never if the block raises.
"""

from collections.abc import Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Model

from airtng.db import insert_together

from .models import Message
from .tasks import enqueue_deliveries

_queued: ContextVar[list[Message] | None] = ContextVar("queued_sms", default=None)


@contextmanager
def sending_together():
    """Write the SMS queued inside the block in one go, in the caller's transaction."""
    if _queued.get() is not None:  # an outer block writes them
        yield
        return
    token = _queued.set([])
    try:
        yield
        write_queued_sms()
    finally:
        _queued.reset(token)


def hold(message: Message) -> bool:
    """Keep `message` for the enclosing block to write; False outside any block."""
    queued = _queued.get()
    if queued is None:
        return False
    queued.append(message)
    return True


def write_queued_sms(*, along: Sequence[Model] = ()) -> None:
    """Write the SMS queued so far, so that they have ids, and schedule their delivery.

    `along` are new rows that name these SMS (the offer and the SMS that asked the host),
    written with the delivery tasks, in the same statement where the database can.
    """
    queued = _queued.get()
    if not queued:
        insert_together(along)
        return
    messages = queued[:]
    queued.clear()
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("Queue SMS together inside a transaction.")
    Message.objects.bulk_create(messages)
    enqueue_deliveries([message.pk for message in messages], along=along)
