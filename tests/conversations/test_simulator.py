"""The phone simulator texts and calls proxy numbers, and says whose conversation each is."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.conftest import SIMULATOR_PERMISSIONS, grant
from tests.conversations.conftest import PROXY_A


@pytest.fixture
def stay(proxy_numbers, guest, listing, request_stay, twilio, settings):
    settings.PUBLIC_BASE_URL = ""
    return request_stay(guest, listing)


def run(*args):
    """What the command prints, without the call's clock in front of each step."""
    out = StringIO()
    call_command(*args, stdout=out)
    return [re.sub(r"^\[\d\d:\d\d\] ", "", line) for line in out.getvalue().splitlines()]


def test_the_page_offers_the_proxy_numbers(stay, make_user, client):
    client.force_login(grant(make_user(is_staff=True), *SIMULATOR_PERMISSIONS))

    page = client.get(reverse("simulator")).content.decode()

    assert f'<option value="{PROXY_A}"' in page
    assert "This phone's proxy numbers" in page


def test_the_phone_shows_which_conversation_a_proxy_number_belongs_to(
    stay, guest, make_user, client
):
    client.force_login(grant(make_user(is_staff=True), *SIMULATOR_PERMISSIONS))

    answer = client.get(reverse("simulator_messages"), {"number": str(guest.phone_number)}).json()

    assert answer["proxies"] == {
        PROXY_A: f"Gus ↔ Hannah · Cabin by the lake (reservation {stay.pk})"
    }


def test_a_text_to_a_proxy_from_the_command_line_reaches_the_host(
    stay, guest, host, make_user, client
):
    assert run(
        "sms", str(guest.phone_number), "Late arrival ok?", "--to", PROXY_A, "--in-process"
    ) == ["(no reply)"]
    client.force_login(grant(make_user(is_staff=True), *SIMULATOR_PERMISSIONS))
    inbox = client.get(reverse("simulator_messages"), {"number": str(host.phone_number)}).json()
    relayed = inbox["messages"][-1]
    assert (relayed["body"], relayed["airtng_side"]) == ("Gus: Late arrival ok?", PROXY_A)


def test_a_call_to_a_proxy_from_the_command_line_is_put_through(stay, guest, host):
    lines = run("call", str(host.phone_number), "--number-called", PROXY_A, "--in-process")

    assert lines == [f"Dial: {guest.phone_number} (they see {PROXY_A} calling)"]
