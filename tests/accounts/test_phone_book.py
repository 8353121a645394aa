"""Each process's copy of the verified numbers (accounts/phone_book.py).

Every change to a verified number or its owner's language, however it is made, changes the
phone book's stamp through database triggers; other edits of a user leave it alone. A process
reads the stamp at most once every PHONE_BOOK_CHECK_SECONDS (0 in the tests' settings).
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.phone_book import book_stamp, verified_numbers
from tests.ivr.test_et_phone_home import GOLDEN_WELCOME

NUMBER = "+12025550143"
OTHER_NUMBER = "+12025550144"
THIRD_NUMBER = "+12025550146"
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def test_the_book_holds_each_verified_number_with_its_owner(make_user):
    speaks_japanese = make_user(phone_number=NUMBER, language="ja")
    speaks_english = make_user(phone_number=THIRD_NUMBER, language="en")
    make_user(phone_number=OTHER_NUMBER, phone_verified=False)

    book = verified_numbers()

    assert book[NUMBER] == (speaks_japanese.pk, "ja")
    assert book[THIRD_NUMBER] == (speaks_english.pk, "en")
    assert OTHER_NUMBER not in book


def save_fields(user, **fields):
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()


def change_by_sql(user, **fields):
    [(name, value)] = fields.items()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE accounts_user SET {name} = %s WHERE id = %s", [value, user.pk])


@pytest.mark.parametrize(
    "change",
    [
        lambda user: save_fields(user, phone_verified=True),
        lambda user: User.objects.filter(pk=user.pk).update(phone_verified=True),
        lambda user: change_by_sql(user, phone_verified=True),
    ],
    ids=["save", "update", "sql"],
)
def test_a_number_verified_by_any_means_is_in_the_book(make_user, change):
    user = make_user(phone_number=NUMBER, phone_verified=False, language="ja")
    assert NUMBER not in verified_numbers()

    change(user)

    assert verified_numbers()[NUMBER] == (user.pk, "ja")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda user: save_fields(user, language="en"), {NUMBER: "en"}),
        (lambda user: change_by_sql(user, language="en"), {NUMBER: "en"}),
        (lambda user: save_fields(user, phone_number=OTHER_NUMBER), {OTHER_NUMBER: "ja"}),
        (lambda user: change_by_sql(user, phone_number=OTHER_NUMBER), {OTHER_NUMBER: "ja"}),
        (lambda user: save_fields(user, phone_verified=False), {}),
        (lambda user: User.objects.filter(pk=user.pk).update(phone_verified=False), {}),
        (lambda user: user.delete(), {}),
        (lambda user: User.objects.filter(pk=user.pk).delete(), {}),
    ],
    ids=[
        "language saved",
        "language by sql",
        "number saved",
        "number by sql",
        "unverified",
        "unverified by update",
        "deleted",
        "deleted in bulk",
    ],
)
def test_every_change_to_a_verified_number_is_in_the_book(make_user, change, expected):
    user = make_user(phone_number=NUMBER, language="ja")
    assert verified_numbers()[NUMBER].language == "ja"

    change(user)

    book = verified_numbers()
    assert {
        number: book[number].language for number in (NUMBER, OTHER_NUMBER) if number in book
    } == expected


@pytest.mark.parametrize(
    ("whose", "edit"),
    [
        ("verified", lambda user: user_logged_in.send(sender=User, request=None, user=user)),
        ("verified", lambda user: save_fields(user, first_name="Renamed")),
        ("unverified", lambda user: save_fields(user, phone_number=OTHER_NUMBER)),
        ("unverified", lambda user: save_fields(user, language="en")),
    ],
    ids=["login", "name", "unverified number", "unverified language"],
)
def test_an_edit_that_is_not_the_books_leaves_its_stamp(make_user, whose, edit):
    users = {
        "verified": make_user(phone_number=NUMBER),
        "unverified": make_user(phone_number="+12025550145", phone_verified=False, language="ja"),
    }
    stamp = book_stamp()

    edit(users[whose])

    assert book_stamp() == stamp


def test_a_user_signing_up_unverified_leaves_the_stamp(make_user):
    stamp = book_stamp()

    make_user(phone_number=NUMBER, phone_verified=False)

    assert book_stamp() == stamp


@pytest.fixture
def once_a_second(settings):
    settings.PHONE_BOOK_CHECK_SECONDS = 1


def queries_of(read):
    with CaptureQueriesContext(connection) as queries:
        read()
    return [query["sql"] for query in queries]


def test_within_the_second_the_book_costs_no_query(make_user, once_a_second):
    with time_machine.travel(NOW, tick=False):
        verified_numbers()

        assert queries_of(verified_numbers) == []


def test_after_the_second_the_book_reads_its_stamp_and_only_that(make_user, once_a_second):
    with time_machine.travel(NOW, tick=False) as clock:
        verified_numbers()
        clock.shift(timedelta(seconds=1))

        assert queries_of(verified_numbers) == [
            "SELECT stamp FROM accounts_phonebookversion WHERE id = 1"
        ]


def test_a_number_verified_is_heard_within_the_second(make_user, once_a_second, twilio_post):
    user = make_user(phone_number=NUMBER, phone_verified=False, language="ja")
    with time_machine.travel(NOW, tick=False) as clock:
        assert twilio_post("/ivr/welcome", {"From": NUMBER}).content.decode() == GOLDEN_WELCOME

        User.objects.filter(pk=user.pk).update(phone_verified=True)
        clock.shift(timedelta(seconds=0.5))
        assert twilio_post("/ivr/welcome", {"From": NUMBER}).content.decode() == GOLDEN_WELCOME
        clock.shift(timedelta(seconds=0.5))
        heard = twilio_post("/ivr/welcome", {"From": NUMBER}).content.decode()

    assert "<Redirect>/ivr/ja-welcome</Redirect>" in heard
