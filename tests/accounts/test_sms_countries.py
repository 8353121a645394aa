"""Airtng accepts at sign-up, and texts, numbers of the countries in SMS_COUNTRIES only."""

import pytest

from accounts.models import User
from airtng.messaging.models import Message, Status
from airtng.messaging.services import queue_sms
from tests.accounts.test_signup import sign_up

FRENCH = ("FR", "06 12 34 56 78")
REFUSED = (
    "Airtng cannot text numbers from that country yet. Use a mobile number from one of these "
    "countries: United States, Canada, United Kingdom, Japan."
)


@pytest.mark.django_db
def test_sign_up_refuses_a_number_of_another_country(client):
    response = sign_up(client, phone_number_0=FRENCH[0], phone_number_1=FRENCH[1])

    assert response.status_code == 200
    assert REFUSED in response.text
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("country", "national"), [("JP", "090-1234-5678"), ("CA", "(604) 555-0123")]
)
def test_sign_up_accepts_the_default_countries(client, country, national):
    response = sign_up(client, phone_number_0=country, phone_number_1=national)

    assert response.status_code == 302


@pytest.mark.django_db
def test_the_operator_chooses_the_countries(client, settings):
    settings.SMS_COUNTRIES = ["US"]

    response = sign_up(client, phone_number_0="GB", phone_number_1="07400 123456")

    assert "one of these countries: United States." in response.text
    assert not User.objects.exists()


def profile(client, country, national):
    return client.post(
        "/accounts/profile/",
        {
            "first_name": "Ada",
            "email": "ada@example.com",
            "phone_number_0": country,
            "phone_number_1": national,
        },
    )


def test_a_profile_cannot_change_to_a_number_of_another_country(login, make_user):
    ada = make_user(email="ada@example.com", phone_number="+12015550123")

    response = profile(login(ada), *FRENCH)

    assert REFUSED in response.text
    ada.refresh_from_db()
    assert str(ada.phone_number) == "+12015550123"


def test_a_number_kept_from_before_the_setting_can_still_be_saved(login, make_user, settings):
    ada = make_user(email="ada@example.com", phone_number="+33612345678")

    response = profile(login(ada), *FRENCH)

    assert response.status_code == 302


def test_no_sms_leaves_for_another_country(twilio, run_worker, db):
    sms = queue_sms(to="+33612345678", body="Bonjour")

    run_worker()

    sms.refresh_from_db()
    assert (sms.status, sms.error_code) == (Status.FAILED, 21408)
    assert twilio.sent == []
    assert Message.objects.count() == 1
