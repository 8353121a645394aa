"""On PostgreSQL, statistics of check-in and check-out taken together.

A search by dates tests each listing for a confirmed stay with check_in < its check-out and
check_out > its check-in. Taken as independent, those two bounds make PostgreSQL expect about
ten times the stays there are (most stays began before any future date; few end after it,
and they are the same few), so it believes few listings are free and reads them all before
keeping the newest page. Knowing the pairs (their most common values), it estimates the
stays over some nights well, and walks the newest-first index until a page is full.
SQLite has no such statistics, and reads its small tables whole.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    """
    CREATE STATISTICS IF NOT EXISTS reservation_stay_dates_stats (mcv, dependencies)
    ON check_in, check_out FROM reservations_reservation
    """,
    # More common pairs than the default 100: a year of check-ins, each with a few lengths.
    "ALTER STATISTICS reservation_stay_dates_stats SET STATISTICS 1000",
    "ANALYZE reservations_reservation",
]
POSTGRESQL_BACKWARD = ["DROP STATISTICS IF EXISTS reservation_stay_dates_stats"]


def run_for_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("reservations", "0009_reservation_confirmed_stay_indexes")]

    operations = [
        migrations.RunPython(
            run_for_postgresql(POSTGRESQL_FORWARD), run_for_postgresql(POSTGRESQL_BACKWARD)
        ),
    ]
