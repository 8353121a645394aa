"""The phone tree's version: a stamp that database triggers change with every menu or option.

Whoever edits the tree (the admin, a data migration, loaddata, plain SQL), the stamp changes in
the same transaction, so every process sees that its compiled tree is stale (ivr/tree.py).
The stamp is random, not a counter: an edit rolled back cannot bring back a stamp that a tree
compiled inside it was keyed on. SQLite drops triggers when Django rebuilds a table, so a
later migration that rebuilds ivr_menu or ivr_option must create them again
(tests/ivr/test_tree_cache.py notices if it does not).
"""

from django.db import migrations, models

TABLES = ("ivr_menu", "ivr_option")

POSTGRESQL_FORWARD = [
    """
    CREATE FUNCTION ivr_tree_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO ivr_treeversion (id, stamp) VALUES (1, (random() * 9e18)::bigint)
        ON CONFLICT (id) DO UPDATE SET stamp = EXCLUDED.stamp;
        RETURN NULL;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_tree_changed
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION ivr_tree_changed()
        """
        for table in TABLES
    ),
]
POSTGRESQL_BACKWARD = [
    *(f"DROP TRIGGER {table}_tree_changed ON {table}" for table in TABLES),
    "DROP FUNCTION ivr_tree_changed()",
]

SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")
SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER {table}_tree_changed_{event.lower()} AFTER {event} ON {table}
    BEGIN
        REPLACE INTO ivr_treeversion (id, stamp) VALUES (1, random());
    END
    """
    for table in TABLES
    for event in SQLITE_EVENTS
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER {table}_tree_changed_{event.lower()}"
    for table in TABLES
    for event in SQLITE_EVENTS
]


def run_for_vendor(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def first_version(apps, schema_editor):
    apps.get_model("ivr", "TreeVersion").objects.update_or_create(pk=1, defaults={"stamp": 1})


class Migration(migrations.Migration):
    dependencies = [("ivr", "0004_call")]

    operations = [
        migrations.CreateModel(
            name="TreeVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("stamp", models.BigIntegerField(verbose_name="stamp")),
            ],
            options={
                "verbose_name": "phone tree version",
                "verbose_name_plural": "phone tree versions",
            },
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
        migrations.RunPython(
            run_for_vendor({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            run_for_vendor({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
