import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

NEW_PASSWORD = "a-brand-new-password-77"


def can_log_in(client, email, password):
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": email, "password": password})
    return "_auth_user_id" in client.session


def reset_link(email):
    match = re.search(r"http://testserver(/accounts/password/reset/\S+/)", email.body)
    assert match, email.body
    return match.group(1)


def ask_for_reset(client, email):
    return client.post(reverse("password_reset"), {"email": email})


# Changing the password while logged in


def test_changing_password_requires_login(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=" + reverse("password_change")


def test_it_changes_the_password(login, guest):
    client = login(guest)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    assert "Your password was changed." in client.get(response.url).text
    assert can_log_in(client, "gus@example.com", NEW_PASSWORD)
    assert not can_log_in(client, "gus@example.com", PASSWORD)


def test_it_keeps_the_user_logged_in_after_a_change(login, guest):
    client = login(guest)

    client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert client.get(reverse("profile")).status_code == 200


def test_it_refuses_a_change_with_the_wrong_old_password(login, guest):
    client = login(guest)

    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.text
    guest.refresh_from_db()
    assert guest.check_password(PASSWORD)


# Resetting a forgotten password by email


def test_reset_emails_a_link(client, guest):
    response = ask_for_reset(client, "gus@example.com")

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["gus@example.com"]
    assert reset_link(mail.outbox[0]).startswith("/accounts/password/reset/")


def test_reset_finds_the_account_by_email_in_other_case(client, guest):
    ask_for_reset(client, "Gus@EXAMPLE.com")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["gus@example.com"]


@pytest.mark.django_db
def test_reset_for_an_unknown_email_sends_nothing_but_looks_the_same(client):
    response = ask_for_reset(client, "nobody@example.com")

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_reset_link_lets_the_user_choose_a_new_password(client, guest):
    ask_for_reset(client, "gus@example.com")
    link = reset_link(mail.outbox[0])

    response = client.get(link)
    assert response.status_code == 302
    assert response.url.endswith("/set-password/")
    form_page = client.get(response.url)
    assert "Choose a new password" in form_page.text
    assert 'name="new_password1"' in form_page.text

    response = client.post(
        response.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    assert can_log_in(client, "gus@example.com", NEW_PASSWORD)
    assert not can_log_in(client, "gus@example.com", PASSWORD)


def test_reset_link_works_only_once(client, guest):
    ask_for_reset(client, "gus@example.com")
    link = reset_link(mail.outbox[0])
    set_password_url = client.get(link).url
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = client.get(link)

    assert response.status_code == 200
    assert "This reset link is invalid or was already used." in response.text


def test_reset_refuses_a_weak_new_password(client, guest):
    ask_for_reset(client, "gus@example.com")
    set_password_url = client.get(reset_link(mail.outbox[0])).url

    response = client.post(
        set_password_url, {"new_password1": "password", "new_password2": "password"}
    )

    assert response.status_code == 200
    assert "This password is too common." in response.text
    guest.refresh_from_db()
    assert guest.check_password(PASSWORD)
