"""A guest and a host talk in real browsers: on the web, and by SMS through the proxy number
in the phone simulator. Both threads show the same conversation."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, browser  # noqa: F401 (a fixture)
from tests.browser.test_whole_product import new_page  # noqa: F401 (a fixture)
from tests.conftest import SIMULATOR_PERMISSIONS, grant
from tests.conversations.conftest import PROXY_A

pytestmark = pytest.mark.browser
SERVER_ANSWER_TIMEOUT_MS = 30_000


@pytest.fixture
def page_as(new_page, live_server, settings):  # noqa: F811
    """A browser logged in as `user`, at `path`."""

    def open_as(user, path):
        client = Client()
        client.force_login(user)
        page = new_page()
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page.goto(path)
        return page

    return open_as


def thread(page):
    return page.locator("#conversation .conversation-thread li p")


def write(page, text):
    page.get_by_label("Write to").fill(text)
    page.locator("#conversation").get_by_role("button", name="Send").click()


def test_guest_and_host_talk_on_the_web_and_by_sms(
    transactional_db,
    settings,
    proxy_numbers,
    guest,
    host,
    listing,
    request_stay,
    make_user,
    page_as,
):
    settings.PUBLIC_BASE_URL = ""
    stay = request_stay(guest, listing, message="Is the canoe free to use?")
    staff = grant(make_user(first_name="Stella", is_staff=True), *SIMULATOR_PERMISSIONS)

    guest_page = page_as(guest, reverse("trip", args=[stay.pk]))
    expect(guest_page.locator("#conversation")).to_contain_text(f"Text or call Hannah at {PROXY_A}")
    write(guest_page, "Can we arrive at 9 pm?")
    expect(thread(guest_page)).to_have_text(["Is the canoe free to use?", "Can we arrive at 9 pm?"])

    # The host is not on the page: the message reaches their phone from the proxy number.
    phone = page_as(
        staff, f"{reverse('simulator')}?{urlencode({'number': str(host.phone_number)})}"
    )
    expect(phone.locator("#thread")).to_contain_text(
        "Gus: Can we arrive at 9 pm?", timeout=SERVER_ANSWER_TIMEOUT_MS
    )
    expect(phone.locator("#proxies")).to_contain_text(
        f"{PROXY_A} Gus ↔ Hannah · Cabin by the lake (reservation {stay.pk})"
    )
    phone.locator("#phone-to").select_option(PROXY_A)
    phone.locator("#sms-body").fill("Yes, the key is under the mat.")
    phone.locator("#sms-form").get_by_role("button", name="Send").click()

    # The guest's open page shows the host's SMS without a reload.
    expect(thread(guest_page)).to_have_text(
        ["Is the canoe free to use?", "Can we arrive at 9 pm?", "Yes, the key is under the mat."],
        timeout=SERVER_ANSWER_TIMEOUT_MS,
    )

    host_page = page_as(host, reverse("host_request", args=[stay.pk]))
    write(host_page, "See you Friday!")
    conversation = [
        "Is the canoe free to use?",
        "Can we arrive at 9 pm?",
        "Yes, the key is under the mat.",
        "See you Friday!",
    ]
    expect(thread(host_page)).to_have_text(conversation)
    expect(thread(guest_page)).to_have_text(conversation, timeout=SERVER_ANSWER_TIMEOUT_MS)
    expect(guest_page.locator("#conversation .said").nth(2)).to_contain_text("by SMS")

    # The guest was reading: the host's web message was not texted to them.
    guest_phone = page_as(
        staff, f"{reverse('simulator')}?{urlencode({'number': str(guest.phone_number)})}"
    )
    expect(guest_phone.locator("#thread")).to_contain_text("Hannah: Yes, the key is under the mat.")
    expect(guest_phone.locator("#thread")).not_to_contain_text("See you Friday!")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    guest_page.set_viewport_size({"width": 900, "height": 900})
    guest_page.locator("#conversation").screenshot(path=SCREENSHOTS / "conversation-thread.png")
