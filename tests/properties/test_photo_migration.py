"""A listing's single uploaded photo becomes its first photo, with a thumbnail and without its
metadata, and comes back as the single photo when the migration is reversed."""

import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from PIL import ExifTags, Image

from accounts.models import User

BEFORE = [("properties", "0005_photo")]
AFTER = [("properties", "0006_property_photo_becomes_first_photo")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_the_old_schema(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def jpeg_with_gps():
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "teal").save(buffer, "JPEG", exif=exif)
    return ContentFile(buffer.getvalue())


def old_listing(apps, title, host, **fields):
    return apps.get_model("properties", "Property").objects.create(
        host_id=host.pk,
        title=title,
        description="Quiet.",
        location="Bend, OR",
        nightly_price=90,
        max_guests=2,
        **fields,
    )


def test_the_single_photo_becomes_the_first_and_comes_back(at_the_old_schema, tmp_path):
    host = User.objects.create(
        email="old@example.com", first_name="Old", phone_number="+12015550999"
    )
    uploaded = old_listing(at_the_old_schema, "Uploaded", host)
    uploaded.photo.save("front.jpg", jpeg_with_gps())
    old_name = uploaded.photo.name
    missing = old_listing(at_the_old_schema, "Missing", host, photo="properties/gone.jpg")
    old_listing(at_the_old_schema, "On the web", host, image_url="https://example.com/a.jpg")

    after = migrate(AFTER)

    photos = after.get_model("properties", "Photo").objects
    assert photos.count() == 2
    first = photos.get(listing=uploaded.pk)
    assert first.position == 0
    with Image.open(tmp_path / first.thumbnail.name) as thumbnail:
        assert thumbnail.size == (480, 360)
    with Image.open(tmp_path / first.image.name) as kept:
        assert kept.size == (640, 480) and not kept.getexif()
    assert not (tmp_path / old_name).exists()
    gone = photos.get(listing=missing.pk)
    assert (gone.image.name, gone.thumbnail.name) == ("properties/gone.jpg", "")

    before = migrate(BEFORE)

    names = dict(before.get_model("properties", "Property").objects.values_list("title", "photo"))
    assert names == {
        "Uploaded": first.image.name,
        "Missing": "properties/gone.jpg",
        "On the web": "",
    }
