"""A body over MAX_REQUEST_BYTES is answered 413 from its headers, before anything reads it."""

import pytest

pytestmark = pytest.mark.django_db

LIMIT = 2000


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.MAX_REQUEST_BYTES = LIMIT


def post(client, path, size, **extra):
    return client.post(path, b"x" * size, content_type="application/x-www-form-urlencoded", **extra)


def test_a_log_in_over_the_limit_gets_413(client):
    response = post(client, "/accounts/login/", LIMIT + 1)

    assert response.status_code == 413
    assert response.text == "The request is too large."


def test_a_log_in_within_the_limit_is_read(client):
    response = client.post("/accounts/login/", {"username": "a@example.com", "password": "x"})

    assert response.status_code == 200


def test_a_forged_webhook_over_the_limit_gets_413_before_its_signature_is_checked(client):
    response = post(client, "/reservations/incoming", LIMIT + 1, HTTP_X_TWILIO_SIGNATURE="forged")

    assert response.status_code == 413


def test_a_body_claiming_a_huge_length_is_refused_unread(client):
    response = client.generic(
        "POST", "/accounts/login/", b"", CONTENT_LENGTH=str(400 * 1024 * 1024)
    )

    assert response.status_code == 413


def test_a_chunked_body_without_a_length_is_refused(client):
    response = client.generic(
        "POST", "/accounts/login/", b"x" * 10, CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked"
    )

    assert response.status_code == 411


def test_the_default_limit_takes_a_5_mb_photo_and_its_form():
    from airtng.settings import MAX_REQUEST_BYTES
    from properties.forms import MAX_PHOTO_SIZE

    assert MAX_PHOTO_SIZE < MAX_REQUEST_BYTES <= MAX_PHOTO_SIZE + 2 * 1024 * 1024


def test_a_browser_over_the_limit_gets_a_page_saying_so_in_its_language(client):
    english = post(client, "/properties/1/photos/", LIMIT + 1000, HTTP_ACCEPT="text/html")
    japanese = post(
        client,
        "/properties/1/photos/",
        LIMIT + 1000,
        HTTP_ACCEPT="text/html,*/*",
        HTTP_ACCEPT_LANGUAGE="ja",
    )

    assert english.status_code == japanese.status_code == 413
    assert english["Content-Type"] == "text/html; charset=utf-8"
    assert "What you sent is 2.9\xa0KB; Airtng takes at most 2.0\xa0KB at once" in english.text
    assert "送信された内容は2.9\xa0KBです" in japanese.text
