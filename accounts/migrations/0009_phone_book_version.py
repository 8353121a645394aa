"""The phone book's version: a stamp that database triggers change with every verified number.

A user's row changes the phone book (accounts/phone_book.py) when it is inserted or deleted
verified, when it is verified or no longer is, or when a verified row's number or language
changes; the stamp then changes in the same transaction. Other edits of a user (a login, a
name) leave it alone. The stamp is random, not a counter, as the phone tree's is
(ivr/migrations/0005_tree_version.py). SQLite drops triggers when Django rebuilds a table, so
a later migration that rebuilds accounts_user must create them again
(tests/accounts/test_phone_book.py notices if it does not).
"""

from django.db import migrations, models

# When a row's change is the phone book's too; NEW and OLD as each event has them.
CHANGES_THE_BOOK = {
    "INSERT": "NEW.phone_verified",
    "DELETE": "OLD.phone_verified",
    "UPDATE": (
        "OLD.phone_verified {differs} NEW.phone_verified OR (NEW.phone_verified AND ("
        "OLD.phone_number {differs} NEW.phone_number OR OLD.language {differs} NEW.language))"
    ),
}

POSTGRESQL_FORWARD = [
    """
    CREATE FUNCTION accounts_phone_book_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO accounts_phonebookversion (id, stamp) VALUES (1, (random() * 9e18)::bigint)
        ON CONFLICT (id) DO UPDATE SET stamp = EXCLUDED.stamp;
        RETURN NULL;
    END
    $$
    """,
    *(
        f"""
        CREATE TRIGGER accounts_user_phone_book_{event.lower()}
        AFTER {event} ON accounts_user FOR EACH ROW
        WHEN ({condition.format(differs="IS DISTINCT FROM")})
        EXECUTE FUNCTION accounts_phone_book_changed()
        """
        for event, condition in CHANGES_THE_BOOK.items()
    ),
    """
    CREATE TRIGGER accounts_user_phone_book_truncate AFTER TRUNCATE ON accounts_user
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_phone_book_changed()
    """,
]
POSTGRESQL_BACKWARD = [
    *(
        f"DROP TRIGGER accounts_user_phone_book_{event.lower()} ON accounts_user"
        for event in [*CHANGES_THE_BOOK, "TRUNCATE"]
    ),
    "DROP FUNCTION accounts_phone_book_changed()",
]

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER accounts_user_phone_book_{event.lower()} AFTER {event} ON accounts_user
    WHEN {condition.format(differs="IS NOT")}
    BEGIN
        REPLACE INTO accounts_phonebookversion (id, stamp) VALUES (1, random());
    END
    """
    for event, condition in CHANGES_THE_BOOK.items()
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER accounts_user_phone_book_{event.lower()}" for event in CHANGES_THE_BOOK
]


def run_for_vendor(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def first_version(apps, schema_editor):
    apps.get_model("accounts", "PhoneBookVersion").objects.update_or_create(
        pk=1, defaults={"stamp": 1}
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_user_language_decide_by")]

    operations = [
        migrations.CreateModel(
            name="PhoneBookVersion",
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
                "verbose_name": "phone book version",
                "verbose_name_plural": "phone book versions",
            },
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
        migrations.RunPython(
            run_for_vendor({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            run_for_vendor({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
