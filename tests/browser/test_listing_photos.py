"""A host lists a place with two photos in a real browser, makes the second the cover and
deletes the first, without JavaScript of ours; the home page shows the cover's thumbnail."""

import io

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from properties.models import Property
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def jpeg(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), colour).save(buffer, "JPEG")
    return {"name": f"{colour}.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def test_a_host_lists_with_photos_and_picks_the_cover(page, live_server, host, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    page.goto(reverse("login"))
    page.get_by_label("Email").fill(host.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()

    page.goto(reverse("property_create"))
    page.get_by_label("Title").fill("Machiya in Kyoto")
    page.get_by_label("Description").fill("A wooden town house.")
    page.get_by_label("Location").fill("Kyoto")
    page.get_by_label("Nightly price").fill("180")
    page.get_by_label("Maximum guests").fill("3")
    page.get_by_label("Photos").set_input_files([jpeg("tan"), jpeg("teal")])
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("img", name="Machiya in Kyoto, photo 2 of 2")).to_be_visible()
    listing = Property.objects.get()
    tan, teal = listing.photos.all()

    page.goto(reverse("property_edit", args=[listing.pk]))
    page.get_by_role("button", name="Make it the cover").click()
    expect(page.locator("#photos li").first.get_by_text("Cover")).to_be_visible()
    page.locator("#photos li").nth(1).get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_have_text("The photo was deleted.")

    page.goto(reverse("home"))
    cover = page.get_by_role("img", name="Machiya in Kyoto")
    expect(cover).to_have_attribute("src", teal.thumbnail.url)
    # A lazy image may still be loading; a broken one completes with no width.
    page.wait_for_function("img => img.complete", arg=cover.element_handle())
    assert page.evaluate("img => img.naturalWidth", cover.element_handle()) == 480
    assert list(listing.photos.all()) == [teal]
