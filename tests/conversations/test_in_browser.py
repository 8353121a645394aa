"""A guest and a host talk in real browsers: on the web, and by SMS through the proxy number
in the phone simulator. Both threads show the same conversation."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, browser, sign_in  # noqa: F401 (a fixture)
from tests.browser.test_whole_product import new_page  # noqa: F401 (a fixture)
from tests.conftest import SIMULATOR_PERMISSIONS, grant
from tests.conversations.conftest import PROXY_A

pytestmark = pytest.mark.browser
SERVER_ANSWER_TIMEOUT_MS = 30_000


@pytest.fixture
def page_as(new_page, live_server):  # noqa: F811
    """A browser logged in as `user`, at `path`."""

    def open_as(user, path, *, fake_clock=False, init_script=None):
        page = new_page()
        sign_in(page, user, live_server.url)
        if fake_clock:
            page.clock.install()
        if init_script:
            page.add_init_script(init_script)
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


HIDE = """() => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW = """() => {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


# Counts the page's requests for its thread, as they are made.
COUNT_POLLS = """
window.polls = 0;
window.answered = 0;
const fetchForReal = window.fetch;
window.fetch = (url, ...rest) => {
  if (!String(url).endsWith("/conversation")) return fetchForReal(url, ...rest);
  window.polls++;
  return fetchForReal(url, ...rest).finally(() => window.answered++);
};
"""


def test_the_thread_stops_asking_in_a_hidden_tab(
    transactional_db, guest, listing, request_stay, page_as
):
    stay = request_stay(guest, listing)
    page = page_as(guest, reverse("trip", args=[stay.pk]), fake_clock=True, init_script=COUNT_POLLS)
    expect(page.locator("#conversation")).to_be_visible()

    def polls_after(milliseconds):
        """Polls while the page's clock runs `milliseconds`, once each has been answered."""
        before = page.evaluate("polls")
        page.clock.run_for(milliseconds)
        page.wait_for_function("() => window.answered === window.polls")
        return page.evaluate("polls") - before

    assert polls_after(3_100) == 1  # every 3 s
    page.evaluate(HIDE)
    assert polls_after(30_000) == 0  # hidden: none
    before = page.evaluate("polls")
    page.evaluate(SHOW)
    # Visible again: it asks at once, with the page's clock standing still.
    page.wait_for_function(f"() => window.polls === {before + 1}")
