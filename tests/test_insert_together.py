"""airtng.db.insert_together: new rows of two tables, in one statement where the database can."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from airtng.db import insert_together
from reservations.models import OutstandingRequest

ONE_STATEMENT = connection.vendor == "postgresql"


def task_row(n):
    return DBTaskResult(
        args_kwargs={"args": [n], "kwargs": {}}, task_path="tests.task", run_after=get_date_max()
    )


@pytest.fixture
def request_without_offer(make_reservation, listing, guest):
    reservation = make_reservation(listing, guest)
    OutstandingRequest.objects.all().delete()
    return reservation


def test_it_writes_the_rows_of_both_tables(request_without_offer, host, django_assert_num_queries):
    tasks = [task_row(1), task_row(2)]
    offer = OutstandingRequest(
        host=host, reservation=request_without_offer, offered_at=timezone.now()
    )

    with django_assert_num_queries(1 if ONE_STATEMENT else 2):
        insert_together(tasks, [offer])

    assert OutstandingRequest.objects.get(host=host).reservation == request_without_offer
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) >= {task.pk for task in tasks}


def test_a_row_the_database_refuses_writes_none_of_them(
    request_without_offer, host, make_reservation, listing, guest
):
    OutstandingRequest.objects.create(
        host=host, reservation=request_without_offer, offered_at=timezone.now()
    )
    other = make_reservation(listing, guest)
    task = task_row(3)
    second_offer = OutstandingRequest(host=host, reservation=other, offered_at=timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together([task], [second_offer])

    assert not DBTaskResult.objects.filter(pk=task.pk).exists()
    assert OutstandingRequest.objects.get(host=host).reservation == request_without_offer
