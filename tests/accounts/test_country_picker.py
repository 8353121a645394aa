"""The phone number's country picker names the countries in the reader's language."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def country_option(response, code):
    match = re.search(rf'<option value="{code}"[^>]*>([^<]*)</option>', response.text)
    assert match, f"no {code} in the country picker"
    return match.group(1)


def test_signup_names_the_countries_in_japanese_for_a_japanese_browser(client):
    response = client.get(reverse("signup"), headers={"Accept-Language": "ja"})

    assert country_option(response, "JP") == "日本 +81"
    assert country_option(response, "US") == "アメリカ合衆国 +1"


def test_signup_names_the_countries_in_english_for_an_english_browser(client):
    client.get(reverse("signup"), headers={"Accept-Language": "ja"})

    response = client.get(reverse("signup"), headers={"Accept-Language": "en"})

    assert country_option(response, "JP") == "Japan +81"
    assert country_option(response, "GB") == "United Kingdom +44"


def test_the_profile_names_the_countries_in_the_persons_language(login, make_user):
    client = login(make_user(language="ja", phone_number="+12015550123"))

    response = client.get(reverse("profile"), headers={"Accept-Language": "ja"})

    assert country_option(response, "JP") == "日本 +81"


def test_a_country_picked_in_japanese_is_read_as_that_country(client):
    response = client.post(
        reverse("signup"),
        {
            "first_name": "Aiko",
            "email": "aiko@example.com",
            "password1": "a-long-test-password-42",
            "password2": "a-long-test-password-42",
            "phone_number_0": "JP",
            "phone_number_1": "090-1234-5678",
        },
        headers={"Accept-Language": "ja"},
    )

    assert response.status_code == 302
