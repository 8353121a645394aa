"""A staff member changes ET Phone Home's greeting from the admin: they start a draft, edit
its menu, hear in the simulator that callers still get the live tree, publish, and hear the
new words when they call again. Its steps are saved, numbered, in
artifacts/screenshots/staff-publish-the-phone-tree/."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, numbered_screenshots
from tests.conftest import PASSWORD, SIMULATOR_PERMISSIONS, grant
from tests.simulator.conftest import et_phone_home  # noqa: F401 (the tree, for this test)

pytestmark = pytest.mark.browser
SERVER_ANSWER_TIMEOUT_MS = 30_000
STEPS = SCREENSHOTS / "staff-publish-the-phone-tree"
LIVE_GREETING = "Thanks for calling the E T Phone Home Service."
NEW_GREETING = "Hello from the new E T Phone Home line. Press 1 for directions, 2 for planets."
TREE_PERMISSIONS = (
    "ivr.view_revision",
    "ivr.publish_revision",
    "ivr.view_menu",
    "ivr.add_menu",
    "ivr.change_menu",
    "ivr.view_option",
    "ivr.add_option",
    "ivr.change_option",
    "ivr.delete_option",
)


@pytest.fixture
def staff(make_user):
    user = make_user(first_name="Stella", email="stella@example.com", is_staff=True)
    return grant(user, *SIMULATOR_PERMISSIONS, *TREE_PERMISSIONS)


def log_in_to_the_admin(page, email):
    page.goto("/admin/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Revisions")).to_be_visible()


def call_from_the_simulator_link(page, number):
    """Follow the first preview's "Call it in the simulator" and call what it names."""
    page.locator("a.ivr-simulator-link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phone simulator")
    page.get_by_label("Or any number (E.164)").fill(number)
    page.get_by_label("Or any number (E.164)").press("Enter")
    expect(page.locator("#current-phone")).to_have_text(number)
    page.get_by_role("button", name="Call /ivr/welcome").click()
    screen = page.locator("#screen")
    expect(screen.locator(".say").first).to_be_visible(timeout=SERVER_ANSWER_TIMEOUT_MS)
    return screen


def test_staff_edit_a_draft_hear_the_live_tree_unchanged_publish_and_hear_the_change(
    page,
    twilio,
    settings,
    staff,
    et_phone_home,  # noqa: F811
):
    settings.PUBLIC_BASE_URL = ""
    page.set_viewport_size({"width": 1366, "height": 768})
    shot = numbered_screenshots(STEPS)
    log_in_to_the_admin(page, staff.email)

    page.get_by_role("link", name="Revisions").click()
    page.locator("button[name=start-draft]").click()
    expect(page.locator(".fieldBox.field-status")).to_contain_text("Draft")
    draft_url = page.url
    shot(page, "a-draft-is-started")

    page.get_by_role("link", name="Edit the draft’s menus").click()
    page.get_by_role("link", name="ET Phone Home", exact=True).click()
    page.get_by_role("textbox", name="Prompt:").fill(NEW_GREETING)
    shot(page, "its-greeting-is-edited")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(draft_url)
    expect(page.locator("#preview")).to_contain_text(NEW_GREETING)
    shot(page, "the-draft-previews-the-new-greeting")
    screen = call_from_the_simulator_link(page, "+15555550100")
    expect(screen).to_contain_text(LIVE_GREETING)
    expect(screen).not_to_contain_text(NEW_GREETING)
    shot(page, "callers-still-hear-the-live-tree")

    page.goto(draft_url)
    page.locator("button[name=publish]").click()
    expect(page.locator(".messagelist")).to_contain_text("Revision 2 (Live) is live.")
    shot(page, "the-draft-is-published")

    screen = call_from_the_simulator_link(page, "+15555550100")
    expect(screen).to_contain_text(NEW_GREETING)
    expect(screen).not_to_contain_text(LIVE_GREETING)
    page.locator("#keypad").get_by_role("button", name="2", exact=True).click()
    expect(screen).to_contain_text(
        "To call the planet DuhGo bah, press 3.", timeout=SERVER_ANSWER_TIMEOUT_MS
    )
    expect(page.locator("#call-log > li > code")).to_have_text(
        ["→ POST /ivr/welcome", "→ POST /ivr/menu Digits=2"]
    )
    shot(page, "the-simulator-hears-the-new-greeting")

    page.get_by_role("button", name="Call ET Phone Home").click()
    expect(screen).to_contain_text(NEW_GREETING, timeout=SERVER_ANSWER_TIMEOUT_MS)


def overflows(page) -> bool:
    """Whether the page, or a table in it, is wider than the screen shows (scrolls sideways)."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth > window.innerWidth
          || [...document.querySelectorAll("*")].some((box) =>
               ["auto", "scroll"].includes(getComputedStyle(box).overflowX)
               && box.scrollWidth > box.clientWidth + 1)"""
    )


def test_a_call_and_a_draft_menu_fit_a_laptop_screen(
    page,
    twilio_post,
    staff,
    et_phone_home,  # noqa: F811
):
    page.set_viewport_size({"width": 1366, "height": 768})
    call = {"CallSid": "CA" + "1" * 32, "From": "+12025550188", "To": "+15005550006"}
    assert twilio_post("/ivr/welcome", {**call, "CallStatus": "ringing"}).status_code == 200
    assert twilio_post("/ivr/menu", {**call, "Digits": "2"}).status_code == 200
    log_in_to_the_admin(page, staff.email)

    page.get_by_role("link", name="Call log").click()
    page.locator("#result_list a[href*='/ivr/call/']").first.click()
    expect(page.locator(".field-readable_twiml pre").first).to_contain_text("Gather")
    assert not overflows(page)

    page.goto("/admin/ivr/revision/")
    page.locator("button[name=start-draft]").click()
    page.get_by_role("link", name="Edit the draft’s menus").click()
    page.get_by_role("link", name="ET Phone Home: planets", exact=True).click()
    expect(page.locator(".inline-group")).to_be_visible()
    assert not overflows(page)
