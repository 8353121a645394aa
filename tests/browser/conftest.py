"""Playwright fixtures: one headless Debian chromium per session, one fresh context per test.

`playwright install` cannot download anything here, so the browser is the system's chromium.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`."
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the main thread while the browser lives,
    # and Django refuses ORM calls from a thread with a running loop, as the test code,
    # fixtures and pytest-django's flush do. Allowed for this module only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server, transactional_db, request):
    """A page in a fresh context (no cookies) whose relative URLs go to the live server.

    Requests to any other origin (the listings' example.com photos, say) are aborted so the
    test never waits on the network. The last page is saved to
    artifacts/screenshots/<test-name>.png, pass or fail.
    """
    base_url = live_server.url
    context = browser.new_context(base_url=base_url, locale="en-US", timezone_id="UTC")
    context.set_default_timeout(10_000)
    context.route(lambda url: not url.startswith(base_url + "/"), lambda route: route.abort())
    page = context.new_page()
    try:
        yield page
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        try:
            page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
        finally:
            context.close()
