"""The one door for an SMS to a person: written in their language, whoever caused it.

A text is passed as a callable, not a string, so that it is written here, under the
reader's language, and not in the language of whoever's request or sweep caused it.
"""

from collections.abc import Callable

from airtng.messaging.models import Message
from airtng.messaging.services import queue_sms

from .languages import speaking_to
from .models import User

Write = Callable[[], str]


def text_person(
    user: User,
    write: Write,
    *,
    reservation=None,
    redacted: Write | None = None,
    from_number: str | None = None,
    expires_at=None,
) -> Message:
    """Queue an SMS to `user`'s number, `write()` (and `redacted()`) in their language.

    It comes from `from_number` (a proxy number of the account), else Airtng's own number;
    past `expires_at` what it says is of no use (a code) and it is not sent again.
    """
    if not callable(write) or (redacted is not None and not callable(redacted)):
        raise TypeError("Pass the text as a callable: it is written in the reader's language.")
    with speaking_to(user):
        body = write()
        redacted_body = redacted() if redacted else ""
    return queue_sms(
        to=user.phone_number,
        body=body,
        user=user,
        reservation=reservation,
        redacted_body=redacted_body,
        from_number=from_number,
        expires_at=expires_at,
    )
