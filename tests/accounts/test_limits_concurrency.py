"""Rate limits hold when the tries arrive all at once (PostgreSQL; SQLite serializes them)."""

import re

import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from airtng.limits.models import RateLimit
from airtng.messaging.models import Message
from tests.reservations.test_sms_concurrency import all_at_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database with concurrent writers"
    ),
    pytest.mark.django_db(transaction=True),
]

NUMBER = "+12015550188"
CODE = re.compile(r"Your Airtng code is (\d{6})")
THROTTLED = "Too many failed log-ins."


def test_twenty_guesses_at_once_check_only_five_passwords(make_user):
    make_user(email="hannah@example.com")

    def guess(n):
        response = Client().post(
            "/accounts/login/",
            {"username": "hannah@example.com", "password": f"guess-{n}"},
            REMOTE_ADDR=f"198.51.100.{n}",
        )
        return THROTTLED in response.text

    throttled = all_at_once(guess, range(20))

    assert throttled.count(False) == 5
    assert RateLimit.objects.filter(key__startswith="login-account:").get().hits == 5


def test_codes_asked_for_at_once_from_many_accounts_reach_one_number_five_times(make_user):
    accounts = [
        make_user(email=f"t{n}@example.com", phone_number=NUMBER, phone_verified=False)
        for n in range(20)
    ]

    def ask(n):
        client = Client()
        client.force_login(accounts[n])
        return client.post("/accounts/verify/send/", REMOTE_ADDR=f"198.51.100.{n}").status_code

    assert set(all_at_once(ask, range(20))) == {302}
    assert Message.objects.filter(to=NUMBER).count() == 5


def test_two_accounts_verifying_one_number_at_once_leave_one_verified(make_user):
    clients = []
    for n in range(2):
        client = Client()
        user = make_user(email=f"v{n}@example.com", phone_number=NUMBER, phone_verified=False)
        client.force_login(user)
        client.post("/accounts/verify/send/", REMOTE_ADDR=f"198.51.100.{n}")
        code = CODE.search(Message.objects.filter(user=user).get().body).group(1)
        clients.append((client, code))

    def verify(client_and_code):
        client, code = client_and_code
        return client.post("/accounts/verify/", {"code": code}).status_code

    all_at_once(verify, clients)

    assert User.objects.filter(phone_number=NUMBER, phone_verified=True).count() == 1
