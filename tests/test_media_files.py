"""Uploaded photos are served by Django under /media/, with DEBUG off too, cached for good;
a deployment that serves them elsewhere says where with MEDIA_URL."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.test_settings import run_django

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_photo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return default_storage.save("properties/thumbnails/a1b2c3.jpg", ContentFile(b"\xff\xd8jpeg"))


def test_a_photo_is_served_with_debug_off_and_cached_for_a_year(client, settings, stored_photo):
    settings.DEBUG = False

    response = client.get(f"/media/{stored_photo}")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"".join(response.streaming_content) == b"\xff\xd8jpeg"


@pytest.mark.parametrize("path", ["properties/none.jpg", "../settings.py", "%2e%2e/manage.py"])
def test_anything_else_under_media_is_404(client, stored_photo, path):
    assert client.get(f"/media/{path}").status_code == 404


def test_media_url_comes_from_the_environment(tmp_path):
    code = "from django.conf import settings; print(settings.MEDIA_URL)"

    default = run_django(code, tmp_path, DEBUG="true")
    elsewhere = run_django(code, tmp_path, DEBUG="true", MEDIA_URL="https://media.example.com/")

    assert default.stdout.strip() == "/media/"
    assert elsewhere.stdout.strip() == "https://media.example.com/"
