"""A number belongs to whoever proves it: an unverified claim blocks no one, and neither
sign-up nor password reset tells a stranger which numbers or emails have accounts."""

import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from accounts.models import User
from tests.accounts.test_signup import finish_signing_up
from tests.conftest import PASSWORD

NUMBER = "+12015550166"
CODE_SMS = re.compile(r"Your Airtng code is (\d{6})\.")
VERIFY, SEND = "/accounts/verify/", "/accounts/verify/send/"


@pytest.fixture
def code_for(twilio, run_worker, client):
    """Ask for a code as `user` (logged in on the client); the code, as texted."""

    def ask(user):
        client.force_login(user)
        client.post(SEND)
        run_worker()
        return CODE_SMS.match(twilio.sent[-1]["Body"]).group(1)

    return ask


def sign_up(client, email, number=NUMBER):
    return client.post(
        "/accounts/signup/",
        {
            "first_name": "Owen",
            "email": email,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "phone_number_0": "US",
            "phone_number_1": number,
        },
    )


def test_an_unverified_claim_does_not_block_the_owner(client, make_user, code_for):
    make_user(email="squatter@example.com", phone_number=NUMBER, phone_verified=False)

    sign_up(client, "owner@example.com")
    finish_signing_up(client)
    owner = User.objects.get(email="owner@example.com")
    response = client.post(VERIFY, {"code": code_for(owner)})

    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.phone_verified is True


def test_verifying_takes_the_number_from_an_unverified_holder(client, make_user, code_for):
    squatter = make_user(email="squatter@example.com", phone_number=NUMBER, phone_verified=False)
    owner = make_user(email="owner@example.com", phone_number=NUMBER, phone_verified=False)
    squatters_code = code_for(squatter)
    client.post(VERIFY, {"code": code_for(owner)})

    client.force_login(squatter)
    response = client.post(VERIFY, {"code": squatters_code})

    assert "There is no code to check: ask for one first." in response.text
    squatter.refresh_from_db()
    assert squatter.phone_verified is False


def test_a_number_verified_elsewhere_is_not_verified_twice(client, make_user, code_for):
    make_user(email="owner@example.com", phone_number=NUMBER)
    latecomer = make_user(email="late@example.com", phone_number=NUMBER, phone_verified=False)

    response = client.post(VERIFY, {"code": code_for(latecomer)})

    assert "This number is verified on another Airtng account." in response.text
    latecomer.refresh_from_db()
    assert latecomer.phone_verified is False


def test_the_database_keeps_a_verified_number_to_one_account(make_user):
    make_user(phone_number=NUMBER)
    make_user(phone_number=NUMBER, phone_verified=False)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_user(phone_number=NUMBER)


def test_sign_up_answers_the_same_for_a_number_with_an_account(client, make_user):
    make_user(email="owner@example.com", phone_number=NUMBER)

    taken = sign_up(client, "new@example.com")
    free = sign_up(client, "other@example.com", number="+12015550167")

    assert (taken.status_code, taken.url) == (free.status_code, free.url)


@pytest.mark.parametrize("email", ["owner@example.com", "nobody@example.com"])
def test_password_reset_answers_the_same_for_any_email(client, make_user, email):
    make_user(email="owner@example.com")

    response = client.post("/accounts/password/reset/", {"email": email}, follow=True)

    assert response.redirect_chain == [("/accounts/password/reset/sent/", 302)]
    assert "owner@example.com" not in response.text and "nobody" not in response.text
    assert len(mail.outbox) == (1 if email == "owner@example.com" else 0)


@pytest.mark.django_db
def test_sign_up_tries_from_one_address_are_bounded(client):
    for n in range(10):
        sign_up(client, f"probe{n}@example.com", number=f"+1201555{n + 400:04d}")

    response = sign_up(client, "probe@example.com", number="+12015550450")

    assert response.status_code == 429
    assert "Too many sign-ups from your network. Try again in 60 minutes." in response.text
    assert not User.objects.filter(email="probe@example.com").exists()
