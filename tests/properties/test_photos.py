"""A listing's photos: the host uploads several, reorders and deletes them; the first is the
cover, and lists show its thumbnail; bad files get a clear error and leave nothing behind."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from properties.images import MAX_PHOTO_SIZE, THUMBNAIL_SIZE
from properties.models import Photo, Property
from properties.services import MAX_PHOTOS_PER_LISTING
from tests.properties.test_listing_crud import listing_form


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def picture(name="room.jpg", size=(400, 300), image_format=None, colour="seagreen", **save):
    image_format = image_format or {"jpg": "JPEG", "png": "PNG"}.get(name.rsplit(".")[-1], "PNG")
    image = Image.new("RGB", size, colour)
    buffer = io.BytesIO()
    image.save(buffer, image_format, **save)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def stored_files(media_root):
    return (
        sorted(p.name for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
    )


def add_photos(client, listing, *files):
    return client.post(reverse("photo_add", args=[listing.pk]), {"photos": list(files)})


def move(client, photo, to):
    return client.post(reverse("photo_move", args=[photo.listing_id, photo.pk]), {"to": to})


def cover_of(listing):
    return listing.photos.first()


@pytest.fixture
def photographed(listing, login, host):
    """The host's listing with three photos, red, green and blue, in that order."""
    client = login(host)
    add_photos(
        client,
        listing,
        picture("red.jpg", colour="red"),
        picture("green.jpg", colour="green"),
        picture("blue.jpg", colour="blue"),
    )
    client.logout()
    return listing


def colours_in_order(listing):
    names = []
    for photo in listing.photos.all():
        with Image.open(photo.image.path) as image:
            red, green, blue = image.convert("RGB").getpixel((10, 10))
        names.append(max(("red", red), ("green", green), ("blue", blue), key=lambda c: c[1])[0])
    return names


# Uploading


def test_a_host_lists_a_place_with_several_photos_and_the_first_is_the_cover(login, host):
    client = login(host)

    response = client.post(
        reverse("property_create"),
        listing_form(
            image_url="", photos=[picture("front.jpg"), picture("garden.png", size=(300, 400))]
        ),
    )

    listing = Property.objects.get()
    assert response.status_code == 302
    first, second = listing.photos.all()
    assert (first.position, second.position) == (0, 1)
    assert first.image.name.endswith(".jpg") and second.image.name.endswith(".png")
    for photo in (first, second):
        with Image.open(photo.thumbnail.path) as thumbnail:
            assert (thumbnail.format, thumbnail.size) == ("JPEG", THUMBNAIL_SIZE)
    home = client.get(reverse("home")).text
    assert f'src="{first.thumbnail.url}"' in home
    assert second.thumbnail.url not in home


def test_the_host_adds_one_photo_then_several_on_the_edit_page(login, host, listing):
    client = login(host)
    edit_page = client.get(reverse("property_edit", args=[listing.pk])).text
    assert f'action="{reverse("photo_add", args=[listing.pk])}"' in edit_page
    assert 'type="file" name="photos"' in edit_page and "multiple" in edit_page

    one = add_photos(client, listing, picture("one.jpg"))
    several = add_photos(client, listing, picture("two.jpg"), picture("three.png"))

    assert one.status_code == several.status_code == 302
    assert several.url == reverse("property_edit", args=[listing.pk]) + "#photos"
    assert list(listing.photos.values_list("position", flat=True)) == [0, 1, 2]
    assert "2 photos added." in client.get(several.url).text


def test_the_property_page_shows_every_photo_as_a_thumbnail_linking_to_the_full_size(
    client, photographed
):
    page = client.get(photographed.get_absolute_url()).text

    for number, photo in enumerate(photographed.photos.all(), start=1):
        assert f'<a href="{photo.image.url}"><img src="{photo.thumbnail.url}"' in page
        assert f'alt="Cabin by the lake, photo {number} of 3"' in page
    assert 'src="https://example.com/cabin.jpg"' not in page


def test_the_property_page_in_japanese_names_each_photo(client, photographed):
    page = client.get(photographed.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ja").text

    assert 'alt="Cabin by the lakeの写真（3枚中2枚目）"' in page


def test_the_photos_are_served(client, photographed):
    photo = cover_of(photographed)

    full = client.get(photo.image.url)
    thumbnail = client.get(photo.thumbnail.url)

    assert full.status_code == thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == "image/jpeg"


# Lists show thumbnails, never the full photo


def test_home_and_my_listings_show_the_covers_thumbnail_not_the_full_photo(
    client, login, host, photographed
):
    cover = cover_of(photographed)

    for page in (client.get(reverse("home")), login(host).get(reverse("my_listings"))):
        assert f'src="{cover.thumbnail.url}"' in page.text
        for photo in photographed.photos.all():
            assert photo.image.url not in page.text
        assert "https://example.com/cabin.jpg" not in page.text


def test_a_listing_without_photos_shows_its_image_url(client, listing):
    assert 'src="https://example.com/cabin.jpg"' in client.get(reverse("home")).text


# Reordering


def test_moving_a_photo_down_and_up_reorders_them(login, host, photographed):
    client = login(host)
    red, green, blue = photographed.photos.all()

    assert move(client, red, "down").status_code == 302
    assert colours_in_order(photographed) == ["green", "red", "blue"]
    move(client, blue, "up")
    assert colours_in_order(photographed) == ["green", "blue", "red"]
    move(client, red, "down")  # already last
    assert colours_in_order(photographed) == ["green", "blue", "red"]
    assert list(photographed.photos.values_list("position", flat=True)) == [0, 1, 2]


def test_making_a_photo_the_cover_changes_the_card(client, login, host, photographed):
    blue = photographed.photos.last()

    response = move(login(host), blue, "first")

    assert response.url == reverse("property_edit", args=[photographed.pk]) + "#photos"
    assert colours_in_order(photographed) == ["blue", "red", "green"]
    assert f'src="{blue.thumbnail.url}"' in client.get(reverse("home")).text


def test_the_edit_page_offers_moves_without_javascript(login, host, photographed):
    page = login(host).get(reverse("property_edit", args=[photographed.pk])).text
    red, green, blue = photographed.photos.all()

    assert f'action="{reverse("photo_move", args=[photographed.pk, green.pk])}"' in page
    assert page.count('name="to" value="up"') == 2
    assert page.count('name="to" value="down"') == 2
    assert page.count('name="to" value="first"') == 2
    assert f'href="{reverse("photo_delete", args=[photographed.pk, red.pk])}"' in page


# Deleting


def test_deleting_the_cover_asks_first_then_the_next_photo_is_the_cover(
    client, login, host, photographed, django_capture_on_commit_callbacks
):
    red, green, _blue = photographed.photos.all()
    url = reverse("photo_delete", args=[photographed.pk, red.pk])
    host_client = login(host)

    confirm = host_client.get(url)
    assert confirm.status_code == 200
    assert "Delete this photo of “Cabin by the lake”? This cannot be undone." in confirm.text
    assert Photo.objects.filter(pk=red.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = host_client.post(url)

    assert response.status_code == 302
    assert not Photo.objects.filter(pk=red.pk).exists()
    assert colours_in_order(photographed) == ["green", "blue"]
    assert list(photographed.photos.values_list("position", flat=True)) == [0, 1]
    assert not os.path.exists(red.image.path) and not os.path.exists(red.thumbnail.path)
    assert "The photo was deleted." in host_client.get(response.url).text
    assert f'src="{green.thumbnail.url}"' in client.get(reverse("home")).text


def test_the_only_photo_of_a_listing_without_an_image_url_is_kept(
    login, host, make_property, listing
):
    client = login(host)
    Property.objects.filter(pk=listing.pk).update(image_url="")
    add_photos(client, listing, picture("only.jpg"))
    only = cover_of(listing)

    response = client.post(reverse("photo_delete", args=[listing.pk, only.pk]), follow=True)

    assert Photo.objects.filter(pk=only.pk).exists()
    assert "This is the listing&#x27;s only photo: add another before you delete it." in (
        response.text
    )


def test_deleting_a_listing_deletes_its_photo_files(
    login, host, photographed, media_root, django_capture_on_commit_callbacks
):
    assert stored_files(media_root)

    with django_capture_on_commit_callbacks(execute=True):
        login(host).post(reverse("property_delete", args=[photographed.pk]))

    assert stored_files(media_root) == []


# Who may


@pytest.mark.parametrize(
    ("view", "method"),
    [
        ("photo_add", "post"),
        ("photo_move", "post"),
        ("photo_delete", "get"),
        ("photo_delete", "post"),
    ],
)
def test_only_the_listings_host_may_change_its_photos(
    client, login, guest, make_user, photographed, view, method
):
    photo = cover_of(photographed)
    args = [photographed.pk] if view == "photo_add" else [photographed.pk, photo.pk]
    url = reverse(view, args=args)
    data = {"photos": [picture()], "to": "down"}

    anonymous = getattr(client, method)(url, data)
    other_host = getattr(login(make_user()), method)(url, data)

    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    assert other_host.status_code == 404
    assert colours_in_order(photographed) == ["red", "green", "blue"]


def test_a_photo_is_reached_only_through_its_own_listing(login, host, make_property, photographed):
    other_listing = make_property(host, title="Loft")
    photo = cover_of(photographed)

    response = login(host).post(reverse("photo_delete", args=[other_listing.pk, photo.pk]))

    assert response.status_code == 404
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_guests_see_no_photo_controls(login, guest, photographed):
    client = login(guest)

    page = client.get(photographed.get_absolute_url()).text

    assert reverse("photo_add", args=[photographed.pk]) not in page
    assert "/move/" not in page and "/photos/" + str(cover_of(photographed).pk) not in page
    assert client.get(reverse("property_edit", args=[photographed.pk])).status_code == 404


# Bad files: a clear error each, and nothing kept


def truncated_jpeg():
    whole = picture("cut.jpg", size=(800, 600), colour="navy", quality=95)
    data = whole.read()
    return SimpleUploadedFile("cut.jpg", data[: len(data) // 2], content_type="image/jpeg")


def bomb():
    # A one-bit 7000×6000 PNG: a few kilobytes that decode to 42 million pixels.
    buffer = io.BytesIO()
    Image.new("1", (7000, 6000)).save(buffer, "PNG")
    return SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")


def noise(name, size):
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


BAD_FILES = {
    "not-an-image": (
        lambda: SimpleUploadedFile("notes.jpg", b"a plain text file", content_type="image/jpeg"),
        "“notes.jpg” is not a photo: upload a JPEG, PNG, WebP or GIF.",
    ),
    "truncated": (
        truncated_jpeg,
        "“cut.jpg” is incomplete or damaged: upload the whole photo again.",
    ),
    "wrong-extension": (
        lambda: picture("room.jpg", image_format="PNG"),
        "“room.jpg” is a PNG image, but its name does not end in .png: rename it and upload it "
        "again.",
    ),
    "not-a-photo-name": (
        lambda: picture("room.txt", image_format="PNG"),
        "“room.txt” is a PNG image, but its name does not end in .png",
    ),
    "unsupported-format": (
        lambda: picture("room.bmp", image_format="BMP"),
        "“room.bmp” is a BMP image: upload a JPEG, PNG, WebP or GIF.",
    ),
    "decompression-bomb": (
        bomb,
        "“bomb.png” is 7000×6000 pixels; the most is 40 megapixels.",
    ),
    "over-5-mb": (
        lambda: noise("big.png", (1400, 1400)),
        "“big.png” is 5.6\xa0MB; the most is 5.0\xa0MB.",
    ),
    "empty": (
        lambda: SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg"),
        "The submitted file is empty.",
    ),
}


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("bad", BAD_FILES)
def test_a_bad_file_among_good_ones_is_refused_and_nothing_is_kept(
    login, host, listing, media_root, bad
):
    make, error = BAD_FILES[bad]

    response = add_photos(login(host), listing, picture("good.jpg"), make())

    assert response.status_code == 200
    assert error.replace("'", "&#x27;") in response.text
    assert not listing.photos.exists()
    assert stored_files(media_root) == []


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("bad", ["not-an-image", "truncated", "decompression-bomb"])
def test_a_listing_with_a_bad_photo_is_not_listed(login, host, media_root, bad):
    make, error = BAD_FILES[bad]

    response = login(host).post(reverse("property_create"), listing_form(photos=[make()]))

    assert response.status_code == 200
    assert error in response.text
    assert not Property.objects.exists()
    assert stored_files(media_root) == []


def test_the_5_mb_test_file_is_over_the_limit_but_within_a_request():
    from django.conf import settings

    assert MAX_PHOTO_SIZE < noise("big.png", (1400, 1400)).size < settings.MAX_REQUEST_BYTES


def test_an_upload_over_the_request_limit_is_refused_unread(login, host, listing, settings):
    settings.MAX_REQUEST_BYTES = 50_000

    response = add_photos(login(host), listing, noise("big.png", (200, 200)))

    assert response.status_code == 413
    assert response.text == "The request is too large."
    assert not listing.photos.exists()


def test_a_listing_has_at_most_so_many_photos(login, host, listing, media_root):
    client = login(host)
    add_photos(client, listing, *(picture(f"{n}.jpg") for n in range(MAX_PHOTOS_PER_LISTING - 2)))
    files_before = stored_files(media_root)

    response = add_photos(client, listing, *(picture(f"more{n}.jpg") for n in range(3)))

    assert response.status_code == 200
    assert (
        f"A listing has at most {MAX_PHOTOS_PER_LISTING} photos, and this one has "
        f"{MAX_PHOTOS_PER_LISTING - 2}: add at most 2 more." in response.text
    )
    assert listing.photos.count() == MAX_PHOTOS_PER_LISTING - 2
    assert stored_files(media_root) == files_before


def test_listing_with_too_many_photos_lists_nothing(login, host, media_root):
    photos = [picture(f"{n}.jpg", size=(40, 30)) for n in range(MAX_PHOTOS_PER_LISTING + 1)]

    response = login(host).post(reverse("property_create"), listing_form(photos=photos))

    assert response.status_code == 200
    assert f"A listing has at most {MAX_PHOTOS_PER_LISTING} photos" in response.text
    assert not Property.objects.exists()
    assert stored_files(media_root) == []


def test_uploading_nothing_says_so(login, host, listing):
    response = add_photos(login(host), listing)

    assert response.status_code == 200
    assert "This field is required." in response.text


# What is kept of a phone's photo


def phone_photo():
    """A 400×300 JPEG, left half red and right half blue, that says it must be turned a
    quarter clockwise to be seen upright, and where it was taken."""
    image = Image.new("RGB", (400, 300), "red")
    image.paste("blue", (200, 0, 400, 300))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (44.0, 17.0, 3.5)}
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_phone_photo_is_kept_upright_and_without_its_metadata(login, host, listing):
    original = phone_photo()
    with Image.open(io.BytesIO(original.read())) as sent:
        assert sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test's photo has a position
    original.seek(0)

    add_photos(login(host), listing, original)

    photo = cover_of(listing)
    for kept in (photo.image, photo.thumbnail):
        with Image.open(kept.path) as image:
            assert not image.getexif()
            assert "exif" not in image.info and "xmp" not in image.info
            assert b"PhoneCo" not in kept.open("rb").read()
    with Image.open(photo.image.path) as image:
        assert image.size == (300, 400)
    with Image.open(photo.thumbnail.path) as thumbnail:
        top, bottom = thumbnail.getpixel((100, 5)), thumbnail.getpixel((100, 354))
    assert top[0] > 200 and top[2] < 60  # red on top: the left edge, turned a quarter
    assert bottom[2] > 200 and bottom[0] < 60
    assert "IMG_0001" not in photo.image.name


def test_a_transparent_png_keeps_its_transparency_and_gets_a_white_thumbnail(login, host, listing):
    image = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")

    add_photos(login(host), listing, SimpleUploadedFile("logo.png", buffer.getvalue()))

    photo = cover_of(listing)
    with Image.open(photo.image.path) as kept:
        assert kept.getpixel((0, 0))[3] == 0
    with Image.open(photo.thumbnail.path) as thumbnail:
        assert thumbnail.getpixel((0, 0)) == (255, 255, 255)
