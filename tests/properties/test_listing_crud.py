import io
import os
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from properties.models import Property


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image_file(name="cabin.png", size=(40, 30), image_format="PNG", noise=False):
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, "seagreen")
    buffer = io.BytesIO()
    image.save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def listing_form(**fields):
    form = {
        "title": "Treehouse in the pines",
        "description": "Reached by a rope ladder.",
        "location": "Bend, OR",
        "nightly_price": "95.50",
        "currency": "USD",
        "max_guests": "2",
        "image_url": "https://example.com/treehouse.jpg",
    }
    form.update(fields)
    return form


# Listing a property


@pytest.mark.django_db
def test_listing_a_property_requires_login(client):
    response = client.get(reverse("property_create"))

    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=" + reverse("property_create")


@pytest.mark.django_db
def test_anonymous_post_lists_nothing(client):
    response = client.post(reverse("property_create"), listing_form())

    assert response.status_code == 302
    assert not Property.objects.exists()


def test_it_lists_a_property_with_an_image_url(login, host):
    client = login(host)

    response = client.post(reverse("property_create"), listing_form())

    listing = Property.objects.get()
    assert response.status_code == 302
    assert response.url == listing.get_absolute_url()
    assert listing.host == host
    assert listing.title == "Treehouse in the pines"
    assert listing.nightly_price == Decimal("95.50")
    assert listing.max_guests == 2
    assert not listing.photos.exists()
    page = client.get(response.url)
    assert "Your property is listed." in page.text
    assert 'src="https://example.com/treehouse.jpg"' in page.text


def test_it_lists_a_property_with_uploaded_photos(login, host, media_root):
    client = login(host)

    response = client.post(
        reverse("property_create"),
        listing_form(image_url="", photos=[image_file("cabin.png"), image_file("porch.png")]),
    )

    listing = Property.objects.get()
    assert response.status_code == 302
    cover, porch = listing.photos.all()
    assert (media_root / cover.image.name).is_file()
    assert (media_root / cover.thumbnail.name).is_file()
    page = client.get(response.url).text
    assert "Your property is listed." in page
    assert f'src="{cover.thumbnail.url}"' in page and f'src="{porch.thumbnail.url}"' in page


def test_it_requires_a_photo_or_an_image_url(login, host):
    response = login(host).post(reverse("property_create"), listing_form(image_url=""))

    assert response.status_code == 200
    assert "Add a photo: upload one or give its web address." in response.text
    assert not Property.objects.exists()


# Editing and deleting your own listing


def test_host_can_edit_their_listing(login, host, listing):
    client = login(host)
    form_page = client.get(reverse("property_edit", args=[listing.pk]))
    assert form_page.status_code == 200
    assert 'value="Cabin by the lake"' in form_page.text

    response = client.post(
        reverse("property_edit", args=[listing.pk]),
        listing_form(title="Cabin on the lake", nightly_price="150"),
    )

    assert response.status_code == 302
    assert response.url == listing.get_absolute_url()
    listing.refresh_from_db()
    assert listing.title == "Cabin on the lake"
    assert listing.nightly_price == Decimal("150")
    assert "Your changes were saved." in client.get(response.url).text


def test_editing_keeps_the_uploaded_photos_without_an_image_url(login, host, listing):
    client = login(host)
    client.post(reverse("photo_add", args=[listing.pk]), {"photos": [image_file("cabin.png")]})
    photo = listing.photos.get()

    response = client.post(
        reverse("property_edit", args=[listing.pk]), listing_form(title="Renamed", image_url="")
    )

    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.title == "Renamed"
    assert listing.photos.get() == photo


def test_editing_away_the_only_picture_is_refused(login, host, listing):
    response = login(host).post(
        reverse("property_edit", args=[listing.pk]), listing_form(image_url="")
    )

    assert response.status_code == 200
    assert "Add a photo: upload one or give its web address." in response.text
    listing.refresh_from_db()
    assert listing.image_url == "https://example.com/cabin.jpg"


def test_host_can_delete_their_listing(login, host, listing):
    client = login(host)
    confirm_page = client.get(reverse("property_delete", args=[listing.pk]))
    assert confirm_page.status_code == 200
    assert "Delete “Cabin by the lake”" in confirm_page.text

    response = client.post(reverse("property_delete", args=[listing.pk]))

    assert response.status_code == 302
    assert response.url == reverse("my_listings")
    assert not Property.objects.filter(pk=listing.pk).exists()
    assert "“Cabin by the lake” was deleted." in client.get(response.url).text


@pytest.mark.parametrize("view", ["property_edit", "property_delete"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_user_gets_404_and_the_listing_is_unchanged(login, guest, listing, view, method):
    client = login(guest)
    send = getattr(client, method)

    response = send(reverse(view, args=[listing.pk]), listing_form(title="Hijacked"))

    assert response.status_code == 404
    listing.refresh_from_db()
    assert listing.title == "Cabin by the lake"
    assert listing.host.email == "hannah@example.com"


@pytest.mark.parametrize("view", ["property_edit", "property_delete"])
def test_editing_or_deleting_requires_login(client, listing, view):
    url = reverse(view, args=[listing.pk])

    response = client.post(url, listing_form(title="Hijacked"))

    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=" + url
    listing.refresh_from_db()
    assert listing.title == "Cabin by the lake"


# My listings


def test_my_listings_shows_only_my_own(login, host, guest, make_property):
    make_property(host, title="Hannah's cabin")
    make_property(host, title="Hannah's loft")
    make_property(guest, title="Gus's yurt")

    response = login(host).get(reverse("my_listings"))

    assert response.status_code == 200
    assert "Hannah&#x27;s cabin" in response.text
    assert "Hannah&#x27;s loft" in response.text
    assert "yurt" not in response.text


def test_my_listings_says_when_there_are_none(login, guest):
    response = login(guest).get(reverse("my_listings"))

    assert "You have not listed a property yet." in response.text


@pytest.mark.django_db
def test_my_listings_requires_login(client):
    response = client.get(reverse("my_listings"))

    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=" + reverse("my_listings")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["http://example.com/cabin.jpg", "ftp://example.com/cabin.jpg", "javascript:alert(1)"]
)
def test_an_image_url_must_be_https(login, host, url):
    response = login(host).post(reverse("property_create"), listing_form(image_url=url))

    assert response.status_code == 200
    assert not Property.objects.exists()
    if url.startswith("http:"):
        assert "Give the photo&#x27;s https:// address." in response.text
