"""A listing's photo cap and order under uploads at once, on PostgreSQL (SQLite serializes
writers)."""

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from PIL import Image

from properties import services
from properties.images import prepare_photo

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database with concurrent writers"
    ),
    pytest.mark.django_db(transaction=True),
]

UPLOADS = 8
EACH = 3


def photos(count):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "olive").save(buffer, "JPEG")
    return [prepare_photo(ContentFile(buffer.getvalue(), name="p.jpg")) for _ in range(count)]


def test_uploads_at_once_never_pass_the_cap_nor_share_a_place(settings, tmp_path, listing):
    settings.MEDIA_ROOT = tmp_path
    batches = [photos(EACH) for _ in range(UPLOADS)]
    start = threading.Event()

    def upload(batch):
        start.wait()
        try:
            services.add_photos(listing=listing, photos=batch)
            return True
        except services.PhotoError:
            return False
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=UPLOADS) as pool:
        futures = [pool.submit(upload, batch) for batch in batches]
        start.set()
        accepted = [future.result() for future in futures]

    assert accepted.count(True) == services.MAX_PHOTOS_PER_LISTING // EACH
    positions = list(listing.photos.values_list("position", flat=True))
    assert positions == list(range(services.MAX_PHOTOS_PER_LISTING))
    assert len(list((tmp_path / "properties").glob("*.jpg"))) == services.MAX_PHOTOS_PER_LISTING
