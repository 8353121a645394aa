"""The published tree is answered from each process's compiled copy (ivr/tree.py).

A step reads nothing but the tree's stamp, at most once a second in production
(IVR_TREE_CHECK_SECONDS; 0 in the tests' settings, so every call reads it). Every kind of edit
changes the stamp, through database triggers, so an edit is heard within that second on
every process.

Each step is also logged (ivr/call_log.py), after its answer and in batches: a step costs its
answer no query, and a batch of CALL_LOG_BATCH steps costs three queries in all.
"""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ivr.models import Call, CallStep, Menu, Option
from ivr.tree import tree_stamp
from tests.conftest import twiml_root
from tests.ivr.test_et_phone_home import GOLDEN_DIRECTIONS, GOLDEN_WELCOME
from tests.ivr.test_tree_admin import START_DRAFT_URL, change_url, form_data, publish

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
STRANGER = "+12025550188"  # a valid American number nobody owns
JAPANESE = "+819012345678"
# Every step of both trees, from callers that cost the English welcome no lookup.
STEPS = [
    ("/ivr/welcome", {}),
    ("/ivr/welcome", {"From": JAPANESE}),
    ("/ivr/menu", {"Digits": "1"}),
    ("/ivr/menu", {"Digits": "2"}),
    ("/ivr/planets", {"Digits": "2"}),
    ("/ivr/planets", {"Digits": "9"}),
    ("/ivr/ja-welcome", {"From": JAPANESE}),
    ("/ivr/ja-menu", {"Digits": "1"}),
    ("/ivr/ja-menu", {"Digits": "2"}),
    ("/ivr/ja-planets", {"Digits": "3"}),
]
STEP_IDS = [f"{path} {params}" for path, params in STEPS]
pytestmark = pytest.mark.usefixtures("call_log_in_batches")


def as_twilio_asks(params, sid="CA" + "5" * 32):
    return {"CallSid": sid, "Direction": "inbound", "CallStatus": "in-progress", **params}


@pytest.fixture
def once_a_second(settings):
    """Production's bound: each process reads the stamps of the tree and of the phone book
    at most once a second."""
    settings.IVR_TREE_CHECK_SECONDS = 1
    settings.PHONE_BOOK_CHECK_SECONDS = 1


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def sql_of(send):
    with CaptureQueriesContext(connection) as queries:
        response = send()
    assert response.status_code == 200
    return [query["sql"] for query in queries]


@pytest.mark.parametrize(("path", "params"), STEPS, ids=STEP_IDS)
def test_a_step_reads_only_the_trees_stamp(db, call_webhook, path, params):
    params = as_twilio_asks(params)
    call_webhook(path, params)  # compiles the tree

    assert sql_of(lambda: call_webhook(path, params)) == [
        "SELECT stamp FROM ivr_treeversion WHERE id = 1"
    ]


@pytest.mark.parametrize(("path", "params"), STEPS, ids=STEP_IDS)
def test_within_the_second_a_step_costs_no_query(
    db, call_webhook, once_a_second, clock, path, params
):
    params = as_twilio_asks(params)
    call_webhook(path, params)

    assert sql_of(lambda: call_webhook(path, params)) == []


def test_a_batch_of_logged_steps_costs_five_queries_after_the_answers(
    db, call_webhook, once_a_second, clock, call_log_in_batches
):
    call_webhook("/ivr/welcome", {"From": STRANGER})  # the tree compiled, the phone book read
    sent = [as_twilio_asks({"Digits": "1"}, sid=f"CA{n:032d}") for n in range(call_log_in_batches)]
    for params in sent[:-1]:
        assert sql_of(lambda params=params: call_webhook("/ivr/menu", params)) == []

    written = sql_of(lambda: call_webhook("/ivr/menu", sent[-1]))

    # The calls known already, the others upserted (answering their ids), the steps; in a
    # savepoint.
    assert len(written) == 5
    inserts = [sql for sql in written if "INSERT INTO" in sql]
    assert [sql.split(" (")[0] for sql in inserts] == [
        'INSERT INTO "ivr_call"',
        f'{call_log_in_batches} times: INSERT INTO "ivr_callstep"',
    ]
    assert CallStep.objects.filter(call__sid__in=[p["CallSid"] for p in sent]).count() == 50


def test_a_batch_of_later_steps_of_logged_calls_writes_only_the_steps(
    db, call_webhook, once_a_second, clock, call_log_in_batches
):
    sids = [f"CA{n:032d}" for n in range(call_log_in_batches)]
    for sid in sids:
        call_webhook("/ivr/welcome", as_twilio_asks({"From": STRANGER}, sid=sid))
    for sid in sids[:-1]:
        call_webhook("/ivr/menu", as_twilio_asks({"Digits": "2"}, sid=sid))

    written = sql_of(lambda: call_webhook("/ivr/menu", as_twilio_asks({"Digits": "2"}, sids[-1])))

    # The calls known already, the steps; in a savepoint.
    assert len(written) == 4
    assert not [sql for sql in written if 'INSERT INTO "ivr_call"' in sql]
    assert Call.objects.filter(sid__in=sids).count() == call_log_in_batches
    steps = CallStep.objects.filter(call__sid=sids[0]).order_by("answered_at", "id")
    assert [step.url.partition("?")[0] for step in steps] == ["/ivr/welcome", "/ivr/menu"]


def test_the_english_welcome_reads_who_owns_a_number_from_the_phone_book(
    db, call_webhook, once_a_second, clock
):
    call_webhook("/ivr/welcome", {"From": STRANGER})

    assert sql_of(lambda: call_webhook("/ivr/welcome", {"From": STRANGER})) == []
    assert call_webhook("/ivr/welcome", {"From": STRANGER}).content.decode() == GOLDEN_WELCOME


@pytest.mark.parametrize("caller", ["", "anonymous", "+81", JAPANESE, "+81 3-1234-5678"])
def test_no_number_and_japanese_numbers_cost_the_welcome_no_lookup(
    db, call_webhook, once_a_second, clock, caller
):
    call_webhook("/ivr/welcome")

    assert sql_of(lambda: call_webhook("/ivr/welcome", {"From": caller})) == []


def test_compiling_the_tree_costs_three_queries(db, call_webhook):
    Menu.objects.get(entry_slug="welcome").save()

    queries = sql_of(lambda: call_webhook("/ivr/menu", {"Digits": "1"}))

    assert len(queries) == 3  # the stamp, the menus, their options


def test_a_published_edit_is_heard_within_the_second(
    db, call_webhook, once_a_second, clock, make_user, client
):
    assert call_webhook("/ivr/menu", {"Digits": "1"}).content.decode() == GOLDEN_DIRECTIONS
    staff = make_user(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.post(START_DRAFT_URL).status_code == 302
    welcome = Menu.objects.get(choice_slug="menu", revision__status="draft")
    data = form_data(client.get(change_url(welcome)))
    text_field = next(name for name, value in data.items() if value.startswith("To get to"))
    data[text_field] = "Follow the lights."
    assert client.post(change_url(welcome), data).status_code == 302
    assert publish(client, welcome.revision).status_code == 200
    client.logout()

    # Each a new call: a call in progress finishes on its revision (test_tree_revisions.py).
    clock.shift(timedelta(seconds=0.9))
    second_call = {"Digits": "1", "CallSid": "CA2"}
    assert call_webhook("/ivr/menu", second_call).content.decode() == GOLDEN_DIRECTIONS

    clock.shift(timedelta(seconds=0.1))
    root = twiml_root(call_webhook("/ivr/menu", {"Digits": "1", "CallSid": "CA3"}))
    assert [say.text for say in root.findall("./Say")][0] == "Follow the lights."


def write_with_sql():
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ivr_menu SET prompt = 'Hello.' WHERE entry_slug = 'welcome'")


def run_data_migration():
    importlib.import_module("ivr.migrations.0003_et_phone_home_in_japanese").remove_tree(apps, None)


def load_fixture(tmp_path):
    fixture = tmp_path / "tree.json"
    call_command("dumpdata", "ivr.menu", "ivr.option", output=str(fixture), verbosity=0)
    call_command("loaddata", str(fixture), verbosity=0)


EDITS = {
    "an admin save": lambda tmp_path: Menu.objects.get(entry_slug="welcome").save(),
    "an option deleted": lambda tmp_path: Option.objects.filter(key="4").delete(),
    "a queryset update": lambda tmp_path: Option.objects.update(text="Hi."),
    "an option added": lambda tmp_path: Option.objects.create(
        menu=Menu.objects.get(entry_slug="welcome"), key="9", action=Option.Action.BACK
    ),
    "plain SQL": lambda tmp_path: write_with_sql(),
    "a data migration": lambda tmp_path: run_data_migration(),
    "loaddata": load_fixture,
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_every_kind_of_edit_changes_the_stamp(db, tmp_path, edit):
    before = tree_stamp()

    edit(tmp_path)

    assert tree_stamp() != before


def test_an_edit_in_plain_sql_is_heard_on_the_next_call(db, call_webhook):
    assert call_webhook("/ivr/welcome").content.decode() == GOLDEN_WELCOME

    write_with_sql()

    [say] = twiml_root(call_webhook("/ivr/welcome")).findall("./Gather/Say")
    assert say.text == "Hello."
