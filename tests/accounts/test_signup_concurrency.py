"""Sign-ups and their links hold when they arrive at once (PostgreSQL; SQLite serializes them)."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from accounts.models import User
from tests.accounts.test_signup import SENT, signup_form, signup_link
from tests.reservations.test_sms_concurrency import all_at_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a database with concurrent writers"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_sign_ups_with_one_new_email_at_once_make_one_account_and_answer_alike():
    def sign_up(n):
        response = Client().post(
            "/accounts/signup/", signup_form(first_name=f"Ada{n}"), REMOTE_ADDR=f"198.51.100.{n}"
        )
        return response.status_code, response.get("Location")

    answers = all_at_once(sign_up, range(6))

    assert set(answers) == {(302, SENT)}
    assert User.objects.filter(email="ada@example.com").count() == 1
    assert len(mail.outbox) == 6


def test_a_link_followed_twice_at_once_signs_in_once():
    Client().post("/accounts/signup/", signup_form())
    link = signup_link()

    answers = all_at_once(lambda n: Client().post(link).status_code, range(2))

    assert sorted(answers) == [302, 400]
    assert User.objects.get().is_active is True
