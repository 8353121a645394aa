"""Verification codes are limited per number and per client address, not only per account:
throwaway accounts cannot flood one phone or run up the SMS bill."""

import pytest

from airtng.messaging.models import Message

SEND = "/accounts/verify/send/"
VICTIM = "+12015550177"


@pytest.fixture
def throwaway(make_user, client):
    """Log in as a new unverified account with `number`; the client it is logged in on."""

    def log_in_as(number=VICTIM):
        client.force_login(make_user(phone_number=number, phone_verified=False))
        return client

    return log_in_as


def codes_to(number):
    return Message.objects.filter(to=number, body__startswith="Your Airtng code").count()


def ask(client, address="203.0.113.7"):
    return client.post(SEND, REMOTE_ADDR=address, follow=True)


def test_at_most_five_codes_an_hour_reach_one_number_whatever_the_account(throwaway):
    for n in range(5):
        ask(throwaway(), address=f"198.51.100.{n}")

    sixth = ask(throwaway(), address="198.51.100.99")

    assert codes_to(VICTIM) == 5
    assert "You can ask for another code in 60 minutes." in sixth.text


def test_at_most_ten_codes_an_hour_are_asked_for_from_one_address(throwaway):
    for n in range(10):
        ask(throwaway(f"+1201555{n + 300:04d}"))

    refused = ask(throwaway("+12015550399"))
    elsewhere = ask(throwaway("+12015550398"), address="192.0.2.1")

    assert Message.objects.filter(body__startswith="Your Airtng code").count() == 11
    assert codes_to("+12015550399") == 0
    assert "You can ask for another code in" in refused.text
    assert codes_to("+12015550398") == 1
    assert "We texted a code" in elsewhere.text
