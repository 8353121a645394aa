"""Users who replied STOP before opt-outs belonged to numbers keep them, both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("accounts", "0005_user_phone_number_unique_once_verified"),
    ("messaging", "0004_optout"),
]
AFTER = [("accounts", "0006_remove_user_sms_opted_out")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_the_old_schema(transactional_db):
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def make_user(apps, n, *, opted_out):
    return apps.get_model("accounts", "User").objects.create(
        email=f"old{n}@example.com",
        first_name=f"Old{n}",
        phone_number=f"+1201555{n:04d}",
        phone_verified=True,
        sms_opted_out=opted_out,
    )


def test_an_opt_out_moves_to_its_number_and_back(at_the_old_schema):
    make_user(at_the_old_schema, 901, opted_out=True)
    make_user(at_the_old_schema, 902, opted_out=False)

    after = migrate(AFTER)
    numbers = list(after.get_model("messaging", "OptOut").objects.values_list("phone_number"))

    assert numbers == [("+12015550901",)]

    before = migrate(BEFORE)
    flags = before.get_model("accounts", "User").objects.values_list("email", "sms_opted_out")

    assert dict(flags) == {"old901@example.com": True, "old902@example.com": False}
