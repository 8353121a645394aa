from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from accounts.models import User
from properties.management.commands.seed_demo import ADMIN_EMAIL, ADMIN_PASSWORD, DEMO_PASSWORD
from properties.models import Property


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def development_run(settings):
    """seed_demo is for the embedded run, which turns DEBUG on."""
    settings.DEBUG = True


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only with DEBUG on"):
        seed()

    assert not User.objects.exists()


def test_it_creates_hosts_guests_properties_and_an_admin(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    output = seed()

    admin = authenticate(username=ADMIN_EMAIL, password=ADMIN_PASSWORD)
    assert admin is not None and admin.is_staff and admin.is_superuser
    assert f"{ADMIN_EMAIL} / {ADMIN_PASSWORD}" in output
    assert Property.objects.values("host").distinct().count() >= 2
    assert User.objects.filter(properties=None, is_staff=False).count() >= 2
    for listing in Property.objects.all():
        with Image.open(listing.photos.get().image.path) as photo:
            assert photo.format == "JPEG"


def test_its_accounts_are_confirmed_and_log_in(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed()

    assert not User.objects.filter(is_active=False).exists()
    assert not User.objects.filter(email_confirmed=False).exists()
    guest = User.objects.filter(properties=None, is_staff=False).first()
    response = client.post("/accounts/login/", {"username": guest.email, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(guest.pk)


def test_running_it_again_changes_nothing(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed()
    before = (User.objects.count(), Property.objects.count())

    seed()

    assert (User.objects.count(), Property.objects.count()) == before


def test_if_empty_leaves_a_used_database_alone(db, make_user):
    make_user()

    output = seed("--if-empty")

    assert "no demo data added" in output
    assert not Property.objects.exists()


def test_the_home_page_shows_the_demo_photos(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed()
    listing = Property.objects.first()

    cover = listing.photos.get()

    page = client.get("/")
    thumbnail = client.get(cover.thumbnail.url)

    assert f'src="{cover.thumbnail.url}"' in page.text
    assert thumbnail.status_code == 200


def test_its_listings_are_found_by_a_search_and_priced_in_their_currency(
    db, settings, tmp_path, client
):
    settings.MEDIA_ROOT = tmp_path
    seed()

    kyoto = client.get(reverse("home"), {"where": "kyoto"})
    placid = client.get(reverse("home"), {"where": "lake placid"})

    assert [listing.title for listing in kyoto.context["page"]] == ["Machiya townhouse"]
    assert "¥18,000 a night" in kyoto.text
    assert [listing.title for listing in placid.context["page"]] == ["Cabin by the lake"]
    assert "$120.00 a night" in placid.text
