"""Staff call ET Phone Home from the phone simulator, press 2 then 3, and are put through to
the planet DuhGo bah: every step on the screen with the time it happened on the call."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import SIMULATOR_PERMISSIONS, grant
from tests.simulator.conftest import et_phone_home  # noqa: F401 (the tree, for this test)

pytestmark = pytest.mark.browser
SERVER_ANSWER_TIMEOUT_MS = 30_000
TIME = re.compile(r"^\d\d:\d\d:\d\d$")


@pytest.fixture
def staff_phone(page, twilio, settings, make_user, live_server, et_phone_home):  # noqa: F811
    settings.PUBLIC_BASE_URL = ""
    staff = grant(make_user(first_name="Stella", is_staff=True), *SIMULATOR_PERMISSIONS)
    sign_in(page, staff, live_server.url)
    page.goto(f"{reverse('simulator')}?{urlencode({'number': '+15555550100'})}")
    expect(page.locator("#current-phone")).to_have_text("+15555550100")
    return page


def press(page, key):
    page.locator("#keypad").get_by_role("button", name=key, exact=True).click()


def test_calling_et_phone_home_and_pressing_2_then_3_dials_duhgo_bah(staff_phone):
    page = staff_phone
    screen = page.locator("#screen")

    page.get_by_role("button", name="Call ET Phone Home").click()
    expect(screen).to_contain_text(
        "Thanks for calling the E T Phone Home Service.", timeout=SERVER_ANSWER_TIMEOUT_MS
    )
    expect(screen.locator(".say").first).to_contain_text("(×3)")
    press(page, "2")
    expect(screen).to_contain_text(
        "To call the planet DuhGo bah, press 3.", timeout=SERVER_ANSWER_TIMEOUT_MS
    )
    press(page, "3")

    dial = screen.locator(".dial")
    expect(dial).to_contain_text("Connecting to +17262043675…", timeout=SERVER_ANSWER_TIMEOUT_MS)
    expect(dial.locator("time")).to_have_text(TIME)
    expect(screen.locator(".key")).to_have_text([re.compile(r"2$"), re.compile(r"3$")])
    for stamp in screen.locator("p:not(.ended):not(:first-child) time").all():
        expect(stamp).to_have_text(TIME)
    expect(screen.locator(".ended")).to_have_text("Call ended.")
    expect(page.locator("#call-log > li > code")).to_have_text(
        ["→ POST /ivr/welcome", "→ POST /ivr/menu Digits=2", "→ POST /ivr/planets Digits=3"]
    )
