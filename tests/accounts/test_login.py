import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


def log_in(client, email, password=PASSWORD, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": email, "password": password})


def is_logged_in_as(client, user):
    return client.session.get("_auth_user_id") == str(user.pk)


def test_it_logs_in_with_email_and_password(client, guest):
    response = log_in(client, "gus@example.com")

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert is_logged_in_as(client, guest)
    assert "Log out" in client.get(response.url).text


def test_it_accepts_the_email_in_other_case(client, guest):
    response = log_in(client, "  GUS@Example.com ")

    assert response.status_code == 302
    assert is_logged_in_as(client, guest)


def test_it_rejects_a_wrong_password(client, guest):
    response = log_in(client, "gus@example.com", password="not-the-password")

    assert response.status_code == 200
    assert "Please enter a correct email address and password." in response.text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_rejects_an_unknown_email(client):
    response = log_in(client, "nobody@example.com")

    assert response.status_code == 200
    assert "Please enter a correct email address and password." in response.text


def test_it_continues_to_next_after_login(client, guest):
    response = log_in(client, "gus@example.com", next_url="/properties/mine/")

    assert response.status_code == 302
    assert response.url == "/properties/mine/"


def test_it_ignores_a_next_that_leaves_the_site(client, guest):
    response = log_in(client, "gus@example.com", next_url="https://evil.example.com/")

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_it_logs_out_via_post(login, guest):
    client = login(guest)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert "_auth_user_id" not in client.session
    assert "Log out" not in client.get(reverse("home")).text


def test_it_does_not_log_out_via_get(login, guest):
    client = login(guest)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert is_logged_in_as(client, guest)
