"""The call log's steps: each request Twilio makes during a call, and what Airtng answered.

Writing a step while answering would cost the phone tree its speed (no query per call,
issue 16), so a step is queued in the process as it is answered and written after its
answer is sent (on `request_finished`, which the WSGI server fires once the response is
closed), CALL_LOG_BATCH steps at a time in one transaction. A step waits at most
CALL_LOG_WAIT_SECONDS: a timer writes what a quiet process holds, and a process that exits
writes what it holds first. So a process that is killed loses at most CALL_LOG_BATCH steps,
or CALL_LOG_WAIT_SECONDS of them. A failed write is logged: the caller had the answer already.
"""

import atexit
import logging
import threading
import time
from datetime import datetime
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.phone_book import verified_numbers
from airtng.messaging.models import Direction
from reservations.conversations.models import RelayedCall
from reservations.conversations.proxies import is_proxy_number

from .calls import TWILIO_RANK
from .models import Call, CallStep
from .voice_line import call_state

logger = logging.getLogger(__name__)


class AnsweredStep(NamedTuple):
    """A step as it was answered, waiting to be written (a tuple: built at every step)."""

    sid: str
    direction: str
    from_number: str
    to: str
    status: str
    url: str
    digits: str
    twiml: str
    answered_at: datetime
    # (call id, attempt) in the URL of a placed call's first step: its SID may not be ours yet.
    placed_call: tuple[int, int] | None = None
    user_id: int | None = None
    reservation_id: int | None = None

    @property
    def person(self) -> str:
        """The number of the person Airtng is talking to."""
        return self.to if self.direction == Direction.OUTBOUND else self.from_number


def logged_step(view):
    """Log each call step `view` answers; logging never changes or fails the answer."""

    @wraps(view)
    def answer_and_log(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            log_answer(
                request.POST if request.method == "POST" else request.GET,
                url=request.get_full_path(),
                # The phone tree's steps have no query: its fields are not read at all.
                query=request.GET if request.META.get("QUERY_STRING") else {},
                answer=response.content,
            )
        return response

    return answer_and_log


def log_answer(params, *, url: str, query, answer: bytes) -> None:
    """Queue the step that Twilio's request was, answered with `answer`, if it names a call;
    a failure is logged, never raised: the caller has the answer."""
    try:
        if (step := step_of(params, url=url, query=query, answer=answer)) is not None:
            queue(step)
    except Exception:
        logger.exception("A call step could not be logged")


def step_of(params, *, url: str, query, answer: bytes) -> AnsweredStep | None:
    """The step of a call that Twilio's request (its `params`, to `url`) was answered with
    `answer`: None if it names no call."""
    sid = params.get("CallSid", "")[:64]
    if not sid:
        return None
    state = call_state(query["state"], call_sid=sid) if "state" in query else {}
    status = params.get("CallStatus", "")
    return AnsweredStep(
        sid=sid,
        direction=(
            Direction.OUTBOUND.value
            if params.get("Direction", "").startswith("outbound")
            else Direction.INBOUND.value
        ),
        from_number=params.get("From", "")[:32],
        to=params.get("To", "")[:32],
        status=status if status in TWILIO_RANK else Call.Status.IN_PROGRESS.value,
        url=url[:2000],
        digits=(params.get("Digits") or params.get("SpeechResult") or "")[:500],
        twiml=answer.decode(errors="replace"),
        answered_at=timezone.now(),
        placed_call=placed_call_in(query),
        user_id=_id(state.get("host")),
        reservation_id=_id(state.get("reservation")),
    )


def placed_call_in(query) -> tuple[int, int] | None:
    call, attempt = query.get("call", ""), query.get("attempt", "")
    if call.isdigit() and attempt.isdigit() and len(call) < 18 and len(attempt) < 4:
        return int(call), int(attempt)
    return None


def _id(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- The queue of this process ---------------------------------------------------------

_queued: list[AnsweredStep] = []
_first_queued_at = 0.0
_lock = threading.Lock()
_timer: threading.Timer | None = None


def queue(step: AnsweredStep) -> None:
    """Keep `step` until its request has finished; a quiet process writes it within
    CALL_LOG_WAIT_SECONDS."""
    global _first_queued_at, _timer
    with _lock:
        if not _queued:
            _first_queued_at = time.monotonic()
        _queued.append(step)
        if _timer is None and len(_queued) < settings.CALL_LOG_BATCH:
            _timer = threading.Timer(settings.CALL_LOG_WAIT_SECONDS, _write_from_the_timer)
            _timer.daemon = True
            _timer.start()


def write_when_due(**kwargs) -> None:
    """After a request: write the queue once it holds a batch or its oldest step is due."""
    if not _queued:
        return
    if (
        len(_queued) >= settings.CALL_LOG_BATCH
        or time.monotonic() - _first_queued_at >= settings.CALL_LOG_WAIT_SECONDS
    ):
        write_queued()


def write_queued() -> int:
    """Write every step this process holds; the number of steps written."""
    global _timer
    with _lock:
        steps = _queued[:]
        _queued.clear()
        if _timer is not None:
            _timer.cancel()
            _timer = None
    if not steps:
        return 0
    try:
        write_steps(steps)
    except IntegrityError:
        # A step names a user or a request deleted since: the others need not go with it.
        return sum(_write_alone(step) for step in steps)
    except Exception:
        logger.exception("The call log lost %d call steps", len(steps))
        return 0
    return len(steps)


def _write_alone(step: AnsweredStep) -> bool:
    """One step a batch could not hold; without its user and request if they are gone."""
    for attempt in (step, step._replace(user_id=None, reservation_id=None)):
        try:
            write_steps([attempt])
        except Exception:
            logger.warning("A step of call %s could not be written: %s", step.sid, step.url)
        else:
            return True
    logger.error("The call log lost a step of call %s: %s", step.sid, step.url)
    return False


def _write_from_the_timer():
    global _timer
    with _lock:
        _timer = None
    try:
        write_queued()
    finally:
        connection.close()  # this thread's own


atexit.register(write_queued)


# --- Writing ---------------------------------------------------------------------------


def write_steps(steps: list[AnsweredStep]) -> None:
    """Write `steps` in order, with a call row per CallSid: the unique SID is the last word
    when two processes, or Twilio's status callback, write a new call at once.

    At most three queries for a batch of inbound steps, whatever its size: the calls already
    known (most of a call's steps come after its first), one upsert of the calls that are
    not (which answers their ids, new or not), one INSERT of the steps; a call a step taught
    something costs one UPDATE more. A new call's user is its number's owner in the phone
    book (accounts/phone_book.py), with no query. The writes are plain SQL: building a model and
    compiling its INSERT cost more than all the phone tree's answers in the batch
    (bench/phone_calls.py prints what a step costs).
    """
    # Each step's time as the database stores it, worked out once: a fifth of writing it.
    as_stored = connection.ops.adapt_datetimefield_value
    answered = [(step, as_stored(step.answered_at)) for step in steps]
    firsts: dict[str, tuple[AnsweredStep, object]] = {}
    for step, answered_at in answered:
        firsts.setdefault(step.sid, (step, answered_at))
    with transaction.atomic():
        for step, _answered_at in firsts.values():
            if step.placed_call:
                _name_placed_call(step)
        ids = _known_calls(list(firsts))
        if new := {sid: first for sid, first in firsts.items() if sid not in ids}:
            ids |= _upsert_calls(_calls_of(new))
        _insert_steps(answered, ids)
        _fill_in_what_steps_learnt(steps, ids)


# Columns a new call row is written with; the others keep their defaults, or are null.
CALL_COLUMNS = (
    "sid",
    "direction",
    "from_number",
    "to",
    "status",
    "started_at",
    "user_id",
    "reservation_id",
    "attempts",
    "error_message",
    "created_at",
    "updated_at",
)
STEP_COLUMNS = ("call_id", "url", "digits", "twiml", "answered_at")
# Rows per statement, well under SQLite's limit of bound values.
ROWS_PER_INSERT = 500


def _known_calls(sids: list[str]) -> dict[str, int]:
    """The id of each of these calls that has a row already, by SID."""
    qn = connection.ops.quote_name
    ids = {}
    with connection.cursor() as cursor:
        for start in range(0, len(sids), ROWS_PER_INSERT):
            chunk = sids[start : start + ROWS_PER_INSERT]
            cursor.execute(
                f"SELECT {qn('id')}, {qn('sid')} FROM {qn(Call._meta.db_table)} "
                f"WHERE {qn('sid')} IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            ids.update((sid, pk) for pk, sid in cursor.fetchall())
    return ids


def _upsert_calls(rows: list[tuple]) -> dict[str, int]:
    """Insert the calls not yet known; the id of every call, by SID.

    On a conflict the SID is "updated" to itself, so that RETURNING answers the existing row.
    """
    qn = connection.ops.quote_name
    ids = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_INSERT):
            chunk = rows[start : start + ROWS_PER_INSERT]
            values = ", ".join([f"({', '.join(['%s'] * len(CALL_COLUMNS))})"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {qn(Call._meta.db_table)} ({', '.join(map(qn, CALL_COLUMNS))}) "
                f"VALUES {values} ON CONFLICT ({qn('sid')}) DO UPDATE SET {qn('sid')} = "
                f"EXCLUDED.{qn('sid')} RETURNING {qn('id')}, {qn('sid')}",
                [value for row in chunk for value in row],
            )
            ids.update((sid, pk) for pk, sid in cursor.fetchall())
    return ids


def _insert_steps(answered: list[tuple[AnsweredStep, object]], ids: dict[str, int]) -> None:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {qn(CallStep._meta.db_table)} ({', '.join(map(qn, STEP_COLUMNS))}) "
            f"VALUES ({', '.join(['%s'] * len(STEP_COLUMNS))})",
            [
                (ids[step.sid], step.url, step.digits, step.twiml, answered_at)
                for step, answered_at in answered
            ],
        )


def _name_placed_call(step: AnsweredStep) -> None:
    """Give a placed call the SID Twilio answered with, if the worker has not yet."""
    call_id, attempt = step.placed_call
    Call.objects.filter(
        pk=call_id, attempts=attempt, direction=Direction.OUTBOUND, sid__isnull=True
    ).update(sid=step.sid)


def _calls_of(firsts: dict[str, tuple[AnsweredStep, object]]) -> list[tuple]:
    """The call row (CALL_COLUMNS) each first step (with its time as stored) would start, if
    its call has none yet. An owner the phone book still names, deleted since, fails the
    batch's foreign key: its steps are then written without them (`_write_alone`)."""
    owners = verified_numbers()
    proxied = [sid for sid, (step, _answered_at) in firsts.items() if is_proxy_number(step.to)]
    conversations = (
        dict(
            RelayedCall.objects.filter(call_sid__in=proxied).values_list(
                "call_sid", "conversation_id"
            )
        )
        if proxied
        else {}
    )
    as_stored = connection.ops.adapt_datetimefield_value
    now = as_stored(timezone.now())
    return [
        (
            sid,
            step.direction,
            step.from_number,
            step.to,
            step.status,
            answered_at,
            step.user_id or _pk(owners.get(step.person)),
            step.reservation_id or conversations.get(sid),
            0,  # attempts: only a call Airtng places is attempted
            "",  # error_message
            now,
            now,
        )
        for sid, (step, answered_at) in firsts.items()
    ]


def _pk(owner) -> int | None:
    return owner.pk if owner is not None else None


def _fill_in_what_steps_learnt(steps, ids) -> None:
    """A step may know its call's user or request, and a placed call starts when its first
    step is answered: one UPDATE per such call, which keeps what the call knew already."""
    learnt: dict[int, dict] = {}
    for step in steps:
        if step.direction != Direction.OUTBOUND and not (step.user_id or step.reservation_id):
            continue
        changes = learnt.setdefault(ids[step.sid], {})
        if step.direction == Direction.OUTBOUND:
            changes.setdefault("started_at", step.answered_at)
        if step.user_id:
            changes.setdefault("user_id", step.user_id)
        if step.reservation_id:
            changes.setdefault("reservation_id", step.reservation_id)
    for pk, changes in learnt.items():
        Call.objects.filter(pk=pk).update(
            **{field: Coalesce(field, Value(value)) for field, value in changes.items()}
        )


def prune_steps(*, before: datetime) -> int:
    """Forget the steps of calls answered before `before`; the calls themselves stay."""
    deleted, _ = CallStep.objects.filter(answered_at__lt=before).delete()
    return deleted
