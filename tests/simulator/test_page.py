"""The phone simulator's page: who may open it, the phone's messages, the call a link asks for."""

import pytest

from airtng.messaging.services import queue_sms
from tests.conftest import SIMULATOR_PERMISSIONS, grant

pytestmark = pytest.mark.django_db

PHONE, MESSAGES, CALL = "/phone/", "/phone/messages", "/phone/call/start"
INCOMING = "/reservations/incoming"
AIRTNG = "+15005550006"


@pytest.fixture(autouse=True)
def twilio_signs(twilio, settings):
    """Twilio is configured (it signs with the auth token) and calls us at our own URL."""
    settings.PUBLIC_BASE_URL = ""


@pytest.fixture
def staff(make_user):
    """Staff given the simulator and the SMS log to read."""
    user = make_user(first_name="Stella", email="staff@example.com", is_staff=True)
    return grant(user, *SIMULATOR_PERMISSIONS)


@pytest.fixture
def plain_staff(make_user):
    return make_user(first_name="Pat", email="pat@example.com", is_staff=True)


def sms_from(number, body, sid="SM" + "1" * 32):
    return {
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": number,
        "To": AIRTNG,
        "Body": body,
        "NumMedia": "0",
    }


def call_voice(client, number="+12015550100"):
    return client.post(CALL, {"number": number, "line": "voice"})


def inbox(client, number):
    response = client.get(MESSAGES, {"number": number})
    assert response.status_code == 200
    return [(m["direction"], m["body"]) for m in response.json()["messages"]]


# --- Who may use it --------------------------------------------------------------------------


def test_anonymous_visitor_is_refused(client):
    assert client.get(PHONE).status_code == 403
    assert client.get(MESSAGES, {"number": "+12015550100"}).status_code == 403


def test_a_user_who_is_not_staff_is_refused(client, guest):
    client.force_login(guest)

    assert client.get(PHONE).status_code == 403
    assert client.get(MESSAGES, {"number": str(guest.phone_number)}).status_code == 403


def test_staff_open_it(client, staff):
    client.force_login(staff)

    response = client.get(PHONE)

    assert response.status_code == 200
    assert "Phone simulator" in response.text


def test_staff_without_its_permission_are_refused(client, plain_staff, host):
    client.force_login(plain_staff)

    assert client.get(PHONE).status_code == 403
    assert client.get(MESSAGES, {"number": str(host.phone_number)}).status_code == 403
    assert call_voice(client, str(host.phone_number)).status_code == 403


def test_staff_who_may_use_it_but_not_read_the_sms_log_see_no_messages(client, plain_staff, host):
    client.force_login(grant(plain_staff, "simulator.use_simulator"))

    assert client.get(PHONE).status_code == 200
    assert call_voice(client).status_code == 200
    assert client.get(MESSAGES, {"number": str(host.phone_number)}).status_code == 403


def test_anyone_opens_it_in_the_embedded_run(client, settings):
    settings.DEBUG = True
    settings.TWILIO_AUTH_TOKEN = ""

    assert client.get(PHONE).status_code == 200
    assert call_voice(client).status_code == 200
    assert client.get(MESSAGES, {"number": "+12015550100"}).status_code == 200


def test_debug_with_a_real_twilio_account_is_not_the_embedded_run(client, settings):
    settings.DEBUG = True

    assert client.get(PHONE).status_code == 403
    assert call_voice(client).status_code == 403
    assert client.get(MESSAGES, {"number": "+12015550100"}).status_code == 403


def test_it_lists_every_users_number(client, staff, host, guest):
    client.force_login(staff)

    page = client.get(PHONE).text

    for user in (host, guest, staff):
        assert f'<option value="{user.phone_number}">' in page
    assert f"{host.first_name} · {host.phone_number}" in page


# --- The phone's messages --------------------------------------------------------------------


def test_it_shows_a_phones_messages_both_ways_newest_last(client, staff, host, twilio_post):
    number = str(host.phone_number)
    queue_sms(to=number, body="First, from Airtng.")
    assert twilio_post(INCOMING, sms_from(number, "Hello?")).status_code == 200
    queue_sms(to=number, body="Last, from Airtng.")
    client.force_login(staff)

    messages = client.get(MESSAGES, {"number": number}).json()["messages"]

    assert [(m["direction"], m["body"]) for m in messages] == [
        ("out", "First, from Airtng."),
        ("in", "Hello?"),
        ("out", "Last, from Airtng."),
    ]
    assert messages[0]["status"] == "pending"
    assert messages[0]["status_label"] == "Waiting to send"
    assert messages[1]["reply"] == (
        "Sorry, it looks like you don't have any reservations to respond to."
    )


def test_it_shows_no_other_phones_messages(client, staff, host, guest, twilio_post):
    queue_sms(to=str(guest.phone_number), body="For the guest.")
    twilio_post(INCOMING, sms_from(str(guest.phone_number), "From the guest."))
    queue_sms(to=str(host.phone_number), body="For the host.")
    client.force_login(staff)

    assert inbox(client, str(host.phone_number)) == [("out", "For the host.")]
    assert inbox(client, "+12015559999") == []
    assert inbox(client, "") == []


@pytest.mark.parametrize(("permitted", "shown"), [(True, True), (False, False)])
def test_the_menu_links_to_it_for_those_it_lets_in(client, make_user, permitted, shown):
    user = make_user(is_staff=True)
    client.force_login(grant(user, "simulator.use_simulator") if permitted else user)

    page = client.get("/")

    assert ('href="/phone/"' in page.text) is shown


# --- A link that asks for a call (the phone tree's preview links here) ------------------------


@pytest.mark.parametrize("path", ["/ivr/welcome", "/voice"])
def test_a_link_offers_to_call_the_webhook_it_names(client, staff, path):
    client.force_login(staff)

    page = client.get(PHONE, {"dial": path}).text

    assert f'<button type="button" id="call-dialled">Call {path}</button>' in page
    assert f'"dialled": "{path}"' in page


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/admin/",
        "/reservations/incoming",
        "/sms/status",
        "/phone/",
        "/ivr/../admin/",
        "/ivr/welcome?Digits=1",
        "https://evil.example/ivr/welcome",
        "//evil.example/voice",
        "javascript:alert(1)",
        "/ivr/" + "w" * 5000,
        "/ivr/ようこそ",
        "/ivr/welcome\x00",
    ],
)
def test_a_link_to_anything_else_is_ignored(client, staff, path):
    client.force_login(staff)

    response = client.get(PHONE, {"dial": path})

    assert response.status_code == 200
    assert 'id="call-dialled"' not in response.text
    assert '"dialled": ""' in response.text


def test_the_linked_call_plays_the_webhook_it_names(client, staff):
    client.force_login(staff)

    response = client.post(CALL, {"number": "+12015550100", "path": "/ivr/welcome"})

    assert response.status_code == 200
    assert "Thanks for calling the E T Phone Home Service." in str(response.json()["steps"])


@pytest.mark.parametrize("path", ["/admin/", "/reservations/incoming", "//evil.example/voice"])
def test_a_call_to_anything_but_a_call_webhook_is_refused(client, staff, path):
    client.force_login(staff)

    response = client.post(CALL, {"number": "+12015550100", "path": path})

    assert response.status_code == 400
    assert response.json()["error"] == "A call starts at /voice or at a phone tree's /ivr/ address."


def test_a_call_names_a_line_or_a_path(client, staff):
    client.force_login(staff)

    response = client.post(CALL, {"number": "+12015550100"})

    assert response.status_code == 400
    assert response.json()["error"] == "Say which line to call."
