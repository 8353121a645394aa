"""SMS queued together are written together: one INSERT for their rows, one for their tasks.

A request that texts two people (the guest the outcome, the host their next request) would
otherwise pay four round-trips for what two can carry. Inside `sending_together()`, queue_sms
keeps the new rows in memory; they are written when the block ends, or earlier when a caller
needs their ids (`write_queued_sms()`), and never if the block raises.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

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


def write_queued_sms() -> None:
    """Write the SMS queued so far, so that they have ids, and schedule their delivery."""
    queued = _queued.get()
    if not queued:
        return
    messages = queued[:]
    queued.clear()
    if not transaction.get_connection().in_atomic_block:
        raise transaction.TransactionManagementError("Queue SMS together inside a transaction.")
    Message.objects.bulk_create(messages)
    enqueue_deliveries([message.pk for message in messages])
