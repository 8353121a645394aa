"""What a process keeps of the database, read again only when the database's stamp of it changes.

Database triggers change a one-row table's stamp in the same transaction as any change to what
is kept (the phone tree, the verified numbers), whoever makes it. A process reads the stamp at
most once every `check_seconds` (a setting's name), and what it keeps again only when the
stamp changed: a change is seen by every process of every machine at most that long after it
commits, and a use costs no query in between.
"""

import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection


class StampedCopy[T]:
    def __init__(self, version_model, check_seconds: str, read: Callable[[int | None], T]):
        self.version_model = version_model
        self.check_seconds = check_seconds
        self.read = read  # what to keep, given the stamp it is read at
        self._kept: tuple[int | None, T, float] | None = None  # stamp, what, when checked
        self._reading = threading.Lock()

    def get(self) -> T:
        kept = self._kept
        now = time.time()
        if kept is not None and 0 <= now - kept[2] < getattr(settings, self.check_seconds):
            return kept[1]
        # The stamp first: what is read after it is as new as the stamp or newer, never older.
        stamp = self.stamp()
        if kept is not None and kept[0] == stamp:
            value = kept[1]
        else:
            with self._reading:
                value = self.read(stamp)
        self._kept = (stamp, value, now)
        return value

    def stamp(self) -> int | None:
        """The stamp in the database: one indexed read of one row."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT stamp FROM {self.version_model._meta.db_table} WHERE id = 1")
            row = cursor.fetchone()
        return row[0] if row else None
