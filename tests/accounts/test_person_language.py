"""Every person has a language: chosen at sign-up from the browser's, changed in the profile
or with the header's switcher, active on every page once logged in, and the language of the
email and SMS Airtng sends them, whoever's browser asked for it."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.accounts.test_signup import SENT, sign_up, signup_form
from tests.conftest import PASSWORD

JAPANESE_BROWSER = {"Accept-Language": "ja,en;q=0.5"}
ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}


def page_language(response):
    assert response.status_code == 200, response.status_code
    return re.search(r'<html lang="([^"]+)"', response.text).group(1)


def selected_language(response):
    select = re.search(
        r'<select name="language"[^>]*id="id_language"[^>]*>(.*?)</select>', response.text, re.S
    )
    return re.search(r'<option value="(\w+)"[^>]*selected', select.group(1)).group(1)


# Choosing it at sign-up


def test_the_signup_form_offers_the_browsers_language(client):
    response = client.get(reverse("signup"), headers=JAPANESE_BROWSER)

    assert page_language(response) == "ja"
    assert selected_language(response) == "ja"
    assert ">日本語</option>" in response.text and ">English</option>" in response.text


@pytest.mark.django_db
def test_a_signup_from_a_japanese_browser_speaks_japanese_and_is_emailed_in_it(client):
    response = client.post(
        reverse("signup"),
        signup_form(language="ja"),
        headers=JAPANESE_BROWSER,
    )

    assert (response.status_code, response.url) == (302, SENT)
    assert User.objects.get().language == "ja"
    [email] = mail.outbox
    assert email.subject == "メールアドレスを確認して、Airtngへのご登録を完了してください"
    assert email.body.startswith("Ada様")


@pytest.mark.django_db
def test_a_signup_without_a_choice_takes_the_browsers_language(client):
    client.post(reverse("signup"), signup_form(), headers=JAPANESE_BROWSER)

    assert User.objects.get().language == "ja"


@pytest.mark.django_db
def test_the_person_may_pick_another_language_than_the_browsers(client):
    client.post(reverse("signup"), signup_form(language="en"), headers=JAPANESE_BROWSER)

    assert User.objects.get().language == "en"
    assert mail.outbox[0].subject == "Confirm your email address to finish signing up to Airtng"


def test_signing_up_again_with_an_address_that_has_an_account_emails_in_its_language(
    client, make_user
):
    make_user(email="ada@example.com", first_name="Ada", language="ja")

    sign_up(client, language="en")

    [email] = mail.outbox
    assert email.subject == "お客様のメールアドレスでAirtngへの登録が試みられました"


# Changing it


def test_the_profile_changes_the_language(login, guest):
    client = login(guest)
    form = client.get(reverse("profile"), headers=JAPANESE_BROWSER)
    assert selected_language(form) == "en"

    response = client.post(
        reverse("profile"),
        {
            "first_name": guest.first_name,
            "last_name": "",
            "email": guest.email,
            "phone_number_0": "US",
            "phone_number_1": str(guest.phone_number.national_number),
            "language": "ja",
        },
    )

    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.language == "ja"
    assert page_language(client.get(reverse("profile"), headers=ENGLISH_BROWSER)) == "ja"


def test_the_profile_keeps_the_language_when_the_form_does_not_say(login, make_user):
    user = make_user(language="ja")
    client = login(user)

    client.post(
        reverse("profile"),
        {
            "first_name": user.first_name,
            "email": user.email,
            "phone_number_0": "US",
            "phone_number_1": str(user.phone_number.national_number),
        },
    )

    user.refresh_from_db()
    assert user.language == "ja"


def test_a_profile_language_airtng_does_not_speak_is_refused(login, guest):
    client = login(guest)

    response = client.post(
        reverse("profile"),
        {
            "first_name": guest.first_name,
            "email": guest.email,
            "phone_number_0": "US",
            "phone_number_1": str(guest.phone_number.national_number),
            "language": "fr",
        },
    )

    assert response.status_code == 200
    guest.refresh_from_db()
    assert guest.language == "en"


# The header's switcher


def test_every_page_has_the_language_switcher(client, db):
    page = client.get(reverse("home")).text

    assert f'action="{reverse("set_language")}"' in page
    assert '<select name="language"' in page


def test_a_visitor_switches_the_language_and_keeps_it(client, db):
    response = client.post(
        reverse("set_language"), {"language": "ja", "next": "/"}, headers=ENGLISH_BROWSER
    )

    assert (response.status_code, response.url) == (302, "/")
    assert page_language(client.get("/", headers=ENGLISH_BROWSER)) == "ja"


def test_the_switcher_saves_a_logged_in_persons_language(login, guest):
    client = login(guest)

    client.post(reverse("set_language"), {"language": "ja", "next": "/"})

    guest.refresh_from_db()
    assert guest.language == "ja"
    assert page_language(client.get("/")) == "ja"


def test_the_switcher_ignores_a_language_airtng_does_not_speak(login, guest):
    client = login(guest)

    client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    guest.refresh_from_db()
    assert guest.language == "en"


# After log-in


def test_after_log_in_the_persons_language_is_active_whatever_the_browser(client, make_user):
    make_user(email="yui@example.com", language="ja")
    assert page_language(client.get("/", headers=ENGLISH_BROWSER)) == "en"

    client.post(
        reverse("login"),
        {"username": "yui@example.com", "password": PASSWORD},
        headers=ENGLISH_BROWSER,
    )

    page = client.get("/", headers=ENGLISH_BROWSER)
    assert page_language(page) == "ja"
    assert "ログアウト" in page.text


def test_an_english_person_reads_english_on_a_japanese_browser(login, guest):
    client = login(guest)

    assert page_language(client.get("/", headers=JAPANESE_BROWSER)) == "en"


# What Airtng sends


def test_the_password_reset_email_is_in_the_persons_language(client, make_user):
    make_user(email="yui@example.com", language="ja")

    client.post(reverse("password_reset"), {"email": "yui@example.com"}, headers=ENGLISH_BROWSER)

    [email] = mail.outbox
    assert "パスワード" in email.subject
    assert "パスワード" in email.body


def test_an_english_person_gets_an_english_reset_email_from_a_japanese_browser(client, make_user):
    make_user(email="ada@example.com")

    client.post(reverse("password_reset"), {"email": "ada@example.com"}, headers=JAPANESE_BROWSER)

    [email] = mail.outbox
    assert "Password reset" in email.subject


@pytest.mark.parametrize(
    ("language", "browser", "text"),
    [
        ("ja", ENGLISH_BROWSER, r"Airtngの確認コードは \d{6} です。有効期限は10分です。"),
        ("en", JAPANESE_BROWSER, r"Your Airtng code is \d{6}\. It expires in 10 minutes\."),
    ],
)
def test_the_verification_code_is_texted_in_the_persons_language(
    twilio, run_worker, login, make_user, language, browser, text
):
    user = make_user(language=language, phone_number="+12015550123", phone_verified=False)

    login(user).post(reverse("send_verification_code"), headers=browser)
    run_worker()

    [sms] = twilio.sent
    assert re.fullmatch(text, sms["Body"])
