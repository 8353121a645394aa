"""Every page is served under a strict Content-Security-Policy, and none needs an exception."""

import re

import pytest

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.I)


@pytest.fixture
def pages(client, settings, host, guest, listing, make_reservation):
    settings.DEBUG = True  # the embedded run: the simulator's page too
    settings.TWILIO_AUTH_TOKEN = ""
    make_reservation(listing, guest)
    return [
        "/",
        f"/properties/{listing.pk}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/phone/",
    ]


def test_the_policy_allows_only_our_own_scripts_and_styles(client, db):
    policy = client.get("/")["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_no_page_has_inline_script_or_style(client, pages, host):
    owned = ["/properties/mine/", "/reservations/requests/", "/accounts/profile/"]
    for path in pages:
        assert_no_inline_code(client.get(path))
    client.force_login(host)
    for path in [*(page for page in pages if "/accounts/" not in page), *owned]:
        assert_no_inline_code(client.get(path))


def assert_no_inline_code(response):
    assert response.status_code == 200, response.request["PATH_INFO"]
    assert "Content-Security-Policy" in response
    assert not INLINE_SCRIPT.search(response.text), response.request["PATH_INFO"]
    assert not INLINE_STYLE.search(response.text), response.request["PATH_INFO"]
