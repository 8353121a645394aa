"""Playwright fixtures: one headless Debian chromium per session, one fresh context per test.

`playwright install` cannot download anything here, so the browser is the system's chromium.
"""

import os
import re
import shutil
from contextlib import contextmanager
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


def new_context(browser, base_url, *, locale="en-US", timezone_id="UTC", timeout_ms=10_000):
    """A fresh context (no cookies), as one person's browser, whose relative URLs go to
    `base_url`; requests to any other origin (the listings' example.com photos, say) are
    aborted so the test never waits on the network."""
    context = browser.new_context(base_url=base_url, locale=locale, timezone_id=timezone_id)
    context.set_default_timeout(timeout_ms)
    context.route(lambda url: not url.startswith(base_url + "/"), lambda route: route.abort())
    return context


@contextmanager
def people(browser, base_url, **options):
    """`open_page()` opens a page in another person's fresh browser; all close at the end."""
    contexts = []

    def open_page():
        contexts.append(new_context(browser, base_url, **options))
        return contexts[-1].new_page()

    try:
        yield open_page
    finally:
        for context in contexts:
            context.close()


def sign_in(page, user, base_url):
    """`user` signed in on `page`'s browser, with a session the test client opens."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
    )


def numbered_screenshots(folder: Path):
    """`save(page, name)` saves the page as the next step, folder/NN-name.png (emptied first)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    steps = iter(range(1, 100))

    def save(page, name):
        page.screenshot(path=folder / f"{next(steps):02d}-{name}.png", full_page=True)

    return save


@pytest.fixture
def page(browser, live_server, transactional_db, request):
    """A page in a fresh context (no cookies) whose relative URLs go to the live server.

    The last page is saved to artifacts/screenshots/<test-name>.png, pass or fail.
    """
    context = new_context(browser, live_server.url)
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
