"""A request can also expire or be declined by Airtng; the host's offer knows its SMS.

The table rebuild SQLite needs for these changes drops 0002's no-overlap triggers; they are
created again at the end.
"""

import importlib

import django.db.models.deletion
import django.db.models.functions.datetime
from django.conf import settings
from django.db import migrations, models

no_overlap = importlib.import_module("reservations.migrations.0002_reservation_no_overlap")
SQLITE_DROP_TRIGGERS = [
    f"DROP TRIGGER IF EXISTS reservation_no_overlap_{event}" for event in ("INSERT", "UPDATE")
]


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_message_accepted_at"),
        ("properties", "0002_property_withdrawn_at"),
        ("reservations", "0003_outstanding_request"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="reservation",
            name="reservation_status_known",
        ),
        migrations.AddField(
            model_name="outstandingrequest",
            name="message",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="messaging.message",
                verbose_name="SMS",
            ),
        ),
        migrations.AddField(
            model_name="reservation",
            name="reminded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="host reminded"),
        ),
        migrations.AlterField(
            model_name="reservation",
            name="created_at",
            field=models.DateTimeField(
                db_default=django.db.models.functions.datetime.Now(),
                db_index=True,
                verbose_name="requested",
            ),
        ),
        migrations.AlterField(
            model_name="reservation",
            name="property",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reservations",
                to="properties.property",
                verbose_name="property",
            ),
        ),
        migrations.AlterField(
            model_name="reservation",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("confirmed", "Confirmed"),
                    ("rejected", "Rejected"),
                    ("cancelled", "Cancelled"),
                    ("expired", "Expired"),
                    ("declined", "Declined by Airtng"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="reservation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "status__in",
                        ["pending", "confirmed", "rejected", "cancelled", "expired", "declined"],
                    )
                ),
                name="reservation_status_known",
            ),
        ),
        migrations.RunPython(
            no_overlap.run_for_vendor({"sqlite": SQLITE_DROP_TRIGGERS + no_overlap.SQLITE_FORWARD}),
            no_overlap.run_for_vendor({"sqlite": SQLITE_DROP_TRIGGERS + no_overlap.SQLITE_FORWARD}),
        ),
    ]
