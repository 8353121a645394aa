"""A verification code stays in the message log only until it has done its job: once the SMS
is delivered, or the code is used, the log shows it masked."""

import re

import pytest

from airtng.messaging.models import Message

CODE_SMS = re.compile(r"Your Airtng code is (\d{6})\. It expires in 10 minutes\.")
MASKED = "Your Airtng code is ••••••. It expires in 10 minutes."


@pytest.fixture
def texted(twilio, run_worker, make_user, client):
    """Ada asks for a code; her message log row, once Twilio has it."""
    ada = make_user(first_name="Ada", phone_verified=False)
    client.force_login(ada)
    client.post("/accounts/verify/send/")
    run_worker()
    return Message.objects.get(user=ada)


@pytest.fixture
def status_callback(twilio_post):
    def post(sid, status):
        return twilio_post("/sms/status", {"MessageSid": sid, "MessageStatus": status})

    return post


def test_the_code_is_in_the_log_until_then(texted):
    assert CODE_SMS.fullmatch(texted.body)


def test_a_delivered_code_is_masked(texted, status_callback):
    assert status_callback(texted.sid, "delivered").status_code == 204

    texted.refresh_from_db()
    assert texted.body == MASKED
    assert texted.status == "delivered"


def test_a_sent_code_is_not_masked_yet(texted, status_callback):
    status_callback(texted.sid, "sent")

    texted.refresh_from_db()
    assert CODE_SMS.fullmatch(texted.body)


def test_a_used_code_is_masked(texted, client):
    code = CODE_SMS.fullmatch(texted.body).group(1)

    client.post("/accounts/verify/", {"code": code})

    texted.refresh_from_db()
    assert texted.body == MASKED
    assert texted.user.phone_verified is True


def test_the_admins_sms_log_shows_it_masked(texted, status_callback, make_user, client):
    status_callback(texted.sid, "delivered")
    client.force_login(make_user(is_staff=True, is_superuser=True))

    page = client.get("/admin/messaging/message/").text

    assert "••••••" in page
    assert CODE_SMS.search(page) is None
