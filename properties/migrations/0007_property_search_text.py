"""Each listing's title and location folded for search, and on PostgreSQL a trigram index.

The folding is Python's (properties/search_text.py), so existing listings are folded here.
PostgreSQL's trigram index serves `search_text LIKE '%word%'`; SQLite has none and reads
the listings whole, which is fine at its sizes.
"""

from django.db import migrations, models

from properties.search_text import listing_search_text

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE INDEX property_search_text_trgm_idx ON properties_property
    USING gin (search_text gin_trgm_ops) WHERE withdrawn_at IS NULL
    """,
]
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS property_search_text_trgm_idx"]


def fold_existing_listings(apps, schema_editor):
    Property = apps.get_model("properties", "Property")
    listings = list(Property.objects.only("title", "location"))
    for listing in listings:
        listing.search_text = listing_search_text(title=listing.title, location=listing.location)
    Property.objects.bulk_update(listings, ["search_text"], batch_size=1000)


def run_for_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("properties", "0006_property_photo_becomes_first_photo")]

    operations = [
        migrations.AddField(
            model_name="property",
            name="search_text",
            field=models.TextField(db_default="", editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fold_existing_listings, migrations.RunPython.noop),
        migrations.RunPython(
            run_for_postgresql(POSTGRESQL_FORWARD), run_for_postgresql(POSTGRESQL_BACKWARD)
        ),
    ]
