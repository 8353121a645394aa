"""Each process's copy of the verified numbers: whose each one is, and the language they speak.

Every call Airtng answers asks who the caller is before anything else (ivr.spoken, and the
phone tree's entry for the caller's language), and most callers own no account: reading the
database to learn so cost a phone-tree step a sixth of its time (bench/README.md). So each
process keeps the numbers. Any change to a verified number or its owner's language, whoever
makes it, changes `PhoneBookVersion` in the same transaction (database triggers, migration
0009), and a process reads that stamp at most once every `PHONE_BOOK_CHECK_SECONDS`
(default 1, airtng/stamped.py): a number verified is known to every process of every machine
at most that long after it commits, and a call costs no query in between.

The copy holds one entry per verified number, about 230 bytes: under 5 MB for 20,000 users.
"""

from typing import NamedTuple

from django.db import connection

from airtng.stamped import StampedCopy

from .models import PhoneBookVersion, User


class Owner(NamedTuple):
    pk: int
    language: str


def verified_numbers() -> dict[str, Owner]:
    """{verified number (E.164): its owner}, as the database had it at most
    PHONE_BOOK_CHECK_SECONDS ago."""
    return _book.get()


def book_stamp() -> int | None:
    return _book.stamp()


def _read_numbers(_stamp: int | None) -> dict[str, Owner]:
    # Plain SQL: the numbers as stored (E.164), not a PhoneNumber built per row.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT phone_number, id, language FROM {User._meta.db_table} WHERE phone_verified"
        )
        return {number: Owner(pk, language) for number, pk, language in cursor.fetchall()}


_book = StampedCopy(PhoneBookVersion, "PHONE_BOOK_CHECK_SECONDS", _read_numbers)
