import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The call log: every call's steps; the keypad's idempotency record keeps its rows
    under a name of its own (CallDecision), so that "call step" means one thing."""

    dependencies = [
        ("ivr", "0005_tree_version"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="callstep", name="call_step_once"),
        migrations.RenameModel(old_name="CallStep", new_name="CallDecision"),
        migrations.AlterModelOptions(
            name="calldecision",
            options={"verbose_name": "call decision", "verbose_name_plural": "call decisions"},
        ),
        migrations.AddConstraint(
            model_name="calldecision",
            constraint=models.UniqueConstraint(
                fields=("call_sid", "step"), name="call_decision_once"
            ),
        ),
        migrations.AddField(
            model_name="call",
            name="started_at",
            field=models.DateTimeField(
                blank=True, db_index=True, null=True, verbose_name="started"
            ),
        ),
        migrations.CreateModel(
            name="CallStep",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.CharField(max_length=2000, verbose_name="URL")),
                (
                    "digits",
                    models.CharField(
                        blank=True, max_length=500, verbose_name="digits pressed or words said"
                    ),
                ),
                ("twiml", models.TextField(verbose_name="TwiML answered")),
                ("answered_at", models.DateTimeField(db_index=True, verbose_name="answered")),
                (
                    "call",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="steps",
                        to="ivr.call",
                        verbose_name="call",
                    ),
                ),
            ],
            options={
                "verbose_name": "call step",
                "verbose_name_plural": "call steps",
                "ordering": ["answered_at", "id"],
                "indexes": [
                    models.Index(fields=["call", "answered_at"], name="call_step_in_order")
                ],
            },
        ),
    ]
