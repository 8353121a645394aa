"""Deciding without SMS under concurrent requests, on PostgreSQL (SQLite serializes them)."""

import re

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import Client
from django_tasks_db.models import DBTaskResult

from airtng.messaging.models import Direction, Message
from ivr.calls import record_call_status
from ivr.models import Call
from reservations.models import Reservation
from tests.reservations.test_sms_concurrency import all_at_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database with concurrent writers"
    ),
    pytest.mark.django_db(transaction=True),
]

JAPANESE_NUMBER = "+819012345678"


@pytest.fixture
def request_(make_user, make_property, make_reservation, guest):
    host = make_user(first_name="Haruto", phone_number=JAPANESE_NUMBER)
    return make_reservation(make_property(host), guest)


def test_a_no_answer_reported_many_times_at_once_is_retried_once(run_worker, request_):
    run_worker()  # record-only: the call gets a SID of our own
    call = Call.objects.get()

    all_at_once(
        lambda _: record_call_status(
            sid=call.sid, status="no-answer", call_id=call.pk, attempt=call.attempts
        ),
        range(20),
    )

    retries = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path="ivr.tasks.place_call"
    )
    assert retries.count() == 1
    call.refresh_from_db()
    assert (call.status, call.attempts) == ("pending", 1)


def test_a_link_tapped_many_times_at_once_decides_once(request_, guest):
    host_sms = Message.objects.get(to=JAPANESE_NUMBER, direction=Direction.OUTBOUND)
    link = re.search(r"(/d/\S+)$", host_sms.body).group(1)

    def tap(accept):
        choice = "accept" if accept else "reject"
        return Client().post(link, {"choice": choice, "confirmed": "yes"}).status_code

    answers = all_at_once(tap, [i % 2 == 0 for i in range(20)])

    assert set(answers) == {200}
    request_.refresh_from_db()
    assert request_.status in (Reservation.Status.CONFIRMED, Reservation.Status.REJECTED)
    outcomes = Message.objects.filter(
        to=str(guest.phone_number), body__startswith="Your recent request"
    )
    assert outcomes.count() == 1
