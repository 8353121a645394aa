"""The phone tree in revisions: the tree as it stands becomes revision 1, live.

Each menu belongs to a revision; a menu's addresses are unique within its revision. Publishing
and reverting change which revision is live, so the revisions table changes the tree's stamp
too. On SQLite, rebuilding ivr_menu drops its triggers (see 0005): they are created again at
the end, and again at the end of going back.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

tree_version = importlib.import_module("ivr.migrations.0005_tree_version")

POSTGRESQL_FORWARD = [
    """
    CREATE TRIGGER ivr_revision_tree_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ivr_revision
    FOR EACH STATEMENT EXECUTE FUNCTION ivr_tree_changed()
    """
]
POSTGRESQL_BACKWARD = ["DROP TRIGGER ivr_revision_tree_changed ON ivr_revision"]

SQLITE_TABLES = ("ivr_menu", "ivr_option", "ivr_revision")


def sqlite_triggers(tables):
    return [
        *(
            f"DROP TRIGGER IF EXISTS {table}_tree_changed_{event.lower()}"
            for table in tables
            for event in tree_version.SQLITE_EVENTS
        ),
        *(
            f"""
            CREATE TRIGGER {table}_tree_changed_{event.lower()} AFTER {event} ON {table}
            BEGIN
                REPLACE INTO ivr_treeversion (id, stamp) VALUES (1, random());
            END
            """
            for table in tables
            for event in tree_version.SQLITE_EVENTS
        ),
    ]


def check_foreign_keys_now(schema_editor):
    """PostgreSQL alters no table whose deferred foreign key checks are still pending."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def the_tree_becomes_revision_1(apps, schema_editor):
    Revision = apps.get_model("ivr", "Revision")
    Menu = apps.get_model("ivr", "Menu")
    first = Revision.objects.create(number=1, status="live")
    Menu.objects.update(revision=first)
    check_foreign_keys_now(schema_editor)


def back_to_one_tree(apps, schema_editor):
    """The live revision stays the tree; the others' menus go (one tree has no revisions)."""
    Revision = apps.get_model("ivr", "Revision")
    Menu = apps.get_model("ivr", "Menu")
    Option = apps.get_model("ivr", "Option")
    others = Menu.objects.exclude(revision__status="live")
    Option.objects.filter(menu__in=others).delete()
    others.update(main_menu=None)
    others.delete()
    Menu.objects.update(revision=None)
    Revision.objects.all().delete()
    check_foreign_keys_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("ivr", "0006_call_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Going back, the tables rebuilt below have lost their triggers by the time this runs.
        migrations.RunPython(
            migrations.RunPython.noop,
            tree_version.run_for_vendor({"sqlite": sqlite_triggers(("ivr_menu", "ivr_option"))}),
        ),
        migrations.CreateModel(
            name="Revision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(unique=True, verbose_name="number")),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("live", "Live"), ("past", "Past")],
                        default="draft",
                        max_length=5,
                        verbose_name="status",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "live_since",
                    models.DateTimeField(blank=True, null=True, verbose_name="live since"),
                ),
                (
                    "based_on",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="ivr.revision",
                        verbose_name="copied from",
                    ),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="made live by",
                    ),
                ),
            ],
            options={
                "verbose_name": "phone tree revision",
                "verbose_name_plural": "phone tree revisions",
                "ordering": ["-number"],
                "permissions": [("publish_revision", "Can publish and revert the phone tree")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("status", "live")),
                        fields=("status",),
                        name="revision_one_live",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "draft")),
                        fields=("status",),
                        name="revision_one_draft",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["draft", "live", "past"])),
                        name="revision_status_known",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="menu",
            name="revision",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="menus",
                to="ivr.revision",
                verbose_name="revision",
            ),
        ),
        migrations.AlterField(
            model_name="menu",
            name="entry_slug",
            field=models.SlugField(
                blank=True,
                help_text="Set for a menu a call can start at, e.g. welcome for /ivr/welcome.",
                null=True,
                verbose_name="played at",
            ),
        ),
        migrations.AlterField(
            model_name="menu",
            name="choice_slug",
            field=models.SlugField(
                help_text="e.g. menu: the key pressed is posted to /ivr/menu.",
                verbose_name="keys posted to",
            ),
        ),
        migrations.AddConstraint(
            model_name="menu",
            constraint=models.UniqueConstraint(
                fields=("revision", "entry_slug"), name="menu_entry_once_per_revision"
            ),
        ),
        migrations.AddConstraint(
            model_name="menu",
            constraint=models.UniqueConstraint(
                fields=("revision", "choice_slug"), name="menu_choice_once_per_revision"
            ),
        ),
        migrations.RunPython(the_tree_becomes_revision_1, back_to_one_tree),
        migrations.AlterField(
            model_name="menu",
            name="revision",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="menus",
                to="ivr.revision",
                verbose_name="revision",
            ),
        ),
        migrations.AddField(
            model_name="menu",
            name="finish_on_key",
            field=models.CharField(
                blank=True,
                choices=[
                    ("#", "# (Twilio’s default)"),
                    ("*", "*"),
                    ("", "none: every key is a key"),
                ],
                default="#",
                help_text="<Gather>’s finishOnKey: this key is never offered as an option.",
                max_length=1,
                verbose_name="key that ends the input",
            ),
        ),
        migrations.RunPython(
            tree_version.run_for_vendor(
                {"postgresql": POSTGRESQL_FORWARD, "sqlite": sqlite_triggers(SQLITE_TABLES)}
            ),
            tree_version.run_for_vendor(
                {
                    "postgresql": POSTGRESQL_BACKWARD,
                    "sqlite": [
                        f"DROP TRIGGER IF EXISTS ivr_revision_tree_changed_{event.lower()}"
                        for event in tree_version.SQLITE_EVENTS
                    ],
                }
            ),
        ),
    ]
