"""The phone simulator's page: who may open it, the phone's messages, and signing for it."""

import json
from xml.etree import ElementTree

import pytest

from airtng.messaging.models import Message
from airtng.messaging.services import queue_sms
from tests.conftest import SIMULATOR_PERMISSIONS, TWILIO_AUTH_TOKEN, grant, twilio_signature

pytestmark = pytest.mark.django_db

PHONE, SIGN, MESSAGES = "/phone/", "/phone/sign", "/phone/messages"
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


def sign(client, path, params=None):
    return client.post(
        SIGN, json.dumps({"path": path, "params": params or {}}), content_type="application/json"
    )


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
    assert sign(client, INCOMING, sms_from(str(host.phone_number), "accept")).status_code == 403


def test_staff_who_may_use_it_but_not_read_the_sms_log_see_no_messages(client, plain_staff, host):
    client.force_login(grant(plain_staff, "simulator.use_simulator"))

    assert client.get(PHONE).status_code == 200
    assert sign(client, "/voice").status_code == 200
    assert client.get(MESSAGES, {"number": str(host.phone_number)}).status_code == 403


def test_anyone_opens_it_in_the_embedded_run(client, settings):
    settings.DEBUG = True
    settings.TWILIO_AUTH_TOKEN = ""

    assert client.get(PHONE).status_code == 200
    assert sign(client, "/voice").status_code == 200
    assert client.get(MESSAGES, {"number": "+12015550100"}).status_code == 200


def test_debug_with_a_real_twilio_account_is_not_the_embedded_run(client, settings):
    settings.DEBUG = True

    assert client.get(PHONE).status_code == 403
    assert sign(client, "/voice").status_code == 403
    assert client.get(MESSAGES, {"number": "+12015550100"}).status_code == 403


def test_it_never_signs_with_the_twilio_auth_token(client, staff, host):
    params = sms_from(str(host.phone_number), "accept")
    client.force_login(staff)

    signed = sign(client, INCOMING, params).json()["signature"]

    assert signed != twilio_signature(f"http://testserver{INCOMING}", params)
    assert TWILIO_AUTH_TOKEN not in signed


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


# --- Signing requests for the webhooks -------------------------------------------------------


def test_its_signature_is_accepted_by_the_real_webhook(client, staff, host):
    params = sms_from(str(host.phone_number), "accept")
    client.force_login(staff)

    signed = sign(client, INCOMING, params)
    assert signed.status_code == 200
    signature = signed.json()["signature"]
    response = client.post(INCOMING, params, headers={"X-Twilio-Signature": signature})

    assert response.status_code == 200
    reply = ElementTree.fromstring(response.content).find("Message").text
    assert reply == "Sorry, it looks like you don't have any reservations to respond to."
    assert Message.objects.get(direction="in").body == "accept"


def test_a_signature_for_other_params_is_refused_by_the_webhook(client, staff, host):
    params = sms_from(str(host.phone_number), "accept")
    client.force_login(staff)

    signature = sign(client, INCOMING, params).json()["signature"]
    forged = {**params, "Body": "reject"}
    response = client.post(INCOMING, forged, headers={"X-Twilio-Signature": signature})

    assert response.status_code == 403


def test_it_signs_a_get_with_its_query_string(client, staff):
    client.force_login(staff)
    path = "/ivr/planets?Digits=3&From=%2B12015550100"

    signature = sign(client, path).json()["signature"]
    response = client.get(path, headers={"X-Twilio-Signature": signature})

    assert response.status_code == 200
    assert "<Dial>+17262043675</Dial>" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/phone/sign",
        "/admin/",
        "/reservations/trips/",
        "/accounts/verify/",
        "/voicemail",
        "/ivr/../admin/",
        "https://evil.example/reservations/incoming",
        "//evil.example/voice",
        "",
        42,
        None,
    ],
)
def test_it_refuses_paths_outside_the_twilio_webhooks(client, staff, path):
    client.force_login(staff)

    assert sign(client, path).status_code == 400


WEBHOOKS = ["/reservations/incoming", "/sms/status", "/voice", "/voice/decision?reservation=1"]


@pytest.mark.parametrize("path", [*WEBHOOKS, "/ivr/welcome", "/ivr/menu", "/ivr/planets"])
def test_it_signs_for_every_twilio_webhook(client, staff, path):
    client.force_login(staff)

    response = sign(client, path, {"From": "+12015550100"})

    assert response.status_code == 200
    assert response.json()["signature"]


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'{"params": {}}', b'{"path": "/voice", "params": []}', b"\xff"],
    ids=["empty", "not json", "a list", "no path", "params not an object", "not utf-8"],
)
def test_it_refuses_bad_json(client, staff, body):
    client.force_login(staff)

    response = client.post(SIGN, body, content_type="application/json")

    assert response.status_code == 400


def test_a_user_who_is_not_staff_cannot_sign(client, guest):
    client.force_login(guest)

    assert sign(client, INCOMING, sms_from(str(guest.phone_number), "accept")).status_code == 403


def test_anonymous_visitor_cannot_sign(client):
    assert sign(client, "/voice").status_code == 403


def test_signing_is_post_only(client, staff):
    client.force_login(staff)

    assert client.get(SIGN, {"path": "/voice"}).status_code == 405


@pytest.mark.parametrize(("permitted", "shown"), [(True, True), (False, False)])
def test_the_menu_links_to_it_for_those_it_lets_in(client, make_user, permitted, shown):
    user = make_user(is_staff=True)
    client.force_login(grant(user, "simulator.use_simulator") if permitted else user)

    page = client.get("/")

    assert ('href="/phone/"' in page.text) is shown
