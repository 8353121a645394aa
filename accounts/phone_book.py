"""Each process's copy of the verified numbers: whose each one is, and the language they speak.

Every call Airtng answers asks who the caller is before anything else (ivr.spoken, and the
phone tree's entry for the caller's language), and most callers own no account: reading the
database to learn so cost a phone-tree step a sixth of its time (bench/README.md). So each
process keeps the numbers. Any change to a verified number or its owner's language, whoever
makes it, changes `PhoneBookVersion` in the same transaction (database triggers, migration
0009), and a process reads that stamp at most once every `PHONE_BOOK_CHECK_SECONDS`
(default 1): a number verified is known to every process of every machine at most that long
after it commits, and a call costs no query in between.

The copy holds one entry per verified number, about 230 bytes: under 5 MB for 20,000 users.
"""

import threading
import time
from typing import NamedTuple

from django.conf import settings
from django.db import connection

from .models import PhoneBookVersion, User


class Owner(NamedTuple):
    pk: int
    language: str


_book: tuple[int | None, dict[str, Owner], float] | None = None  # stamp, numbers, when read
_loading = threading.Lock()


def verified_numbers() -> dict[str, Owner]:
    """{verified number (E.164): its owner}, as the database had it at most
    PHONE_BOOK_CHECK_SECONDS ago."""
    global _book
    cached = _book
    now = time.time()
    if cached is not None and 0 <= now - cached[2] < settings.PHONE_BOOK_CHECK_SECONDS:
        return cached[1]
    # The stamp first: numbers read after it are as new as the stamp or newer, never older.
    stamp = book_stamp()
    if cached is not None and cached[0] == stamp:
        numbers = cached[1]
    else:
        with _loading:
            numbers = _read_numbers()
    _book = (stamp, numbers, now)
    return numbers


def book_stamp() -> int | None:
    """The stamp of the phone book in the database: one indexed read of one row."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {PhoneBookVersion._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else None


def _read_numbers() -> dict[str, Owner]:
    # Plain SQL: the numbers as stored (E.164), not a PhoneNumber built per row.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT phone_number, id, language FROM {User._meta.db_table} WHERE phone_verified"
        )
        return {number: Owner(pk, language) for number, pk, language in cursor.fetchall()}
