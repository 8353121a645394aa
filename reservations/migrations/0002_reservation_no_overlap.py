"""No two confirmed reservations of one property overlap, enforced by the database.

PostgreSQL gets an exclusion constraint over the stay's date range; SQLite, which has none,
gets triggers that abort the offending INSERT or UPDATE. Both surface as IntegrityError.
SQLite drops triggers when Django rebuilds a table, so a later migration that rebuilds
reservations_reservation must create them again (tests/reservations/test_no_overlap.py
notices if it does not).
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE reservations_reservation ADD CONSTRAINT reservation_no_overlap
    EXCLUDE USING gist (property_id WITH =, daterange(check_in, check_out) WITH &&)
    WHERE (status = 'confirmed')
    """,
]
POSTGRESQL_BACKWARD = [
    "ALTER TABLE reservations_reservation DROP CONSTRAINT reservation_no_overlap",
]

SQLITE_TRIGGER = """
CREATE TRIGGER reservation_no_overlap_{event}
BEFORE {event} ON reservations_reservation
WHEN NEW.status = 'confirmed' AND EXISTS (
    SELECT 1 FROM reservations_reservation AS other
    WHERE other.property_id = NEW.property_id
      AND other.status = 'confirmed'
      AND other.id IS NOT NEW.id
      AND other.check_in < NEW.check_out
      AND NEW.check_in < other.check_out
)
BEGIN
    SELECT RAISE(ABORT, 'reservation_no_overlap');
END
"""
SQLITE_FORWARD = [SQLITE_TRIGGER.format(event=event) for event in ("INSERT", "UPDATE")]
SQLITE_BACKWARD = [
    f"DROP TRIGGER reservation_no_overlap_{event}" for event in ("INSERT", "UPDATE")
]


def run_for_vendor(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("reservations", "0001_initial")]

    operations = [
        migrations.RunPython(
            run_for_vendor({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            run_for_vendor({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
