"""Password guessing is slowed per account and per client address, on both log-in pages.

The counters live in the database, so every gunicorn process sees the same ones.
"""

from datetime import timedelta

import pytest
from django.db.models import F

from airtng.limits.models import RateLimit
from tests.conftest import PASSWORD

LOGIN, ADMIN_LOGIN = "/accounts/login/", "/admin/login/"
THROTTLED = "Too many failed log-ins. For your safety, try again in"


@pytest.fixture(params=[LOGIN, ADMIN_LOGIN], ids=["log-in", "admin log-in"])
def page(request):
    return request.param


@pytest.fixture
def staff(make_user):
    return make_user(email="stella@example.com", is_staff=True)


def log_in(client, page, email, password, address="203.0.113.7", **headers):
    return client.post(
        page, {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def logged_in(client):
    return "_auth_user_id" in client.session


def as_if_passed(time):
    RateLimit.objects.update(window_started_at=F("window_started_at") - time)


def test_five_wrong_passwords_lock_the_account_even_to_the_right_one(client, page, staff):
    for _ in range(5):
        assert THROTTLED not in log_in(client, page, staff.email, "wrong-guess").text

    response = log_in(client, page, staff.email, PASSWORD)

    assert response.status_code == 200
    assert THROTTLED in response.text
    assert "15 minutes" in response.text
    assert not logged_in(client)


def test_the_account_lock_holds_from_any_address(client, page, staff):
    for n in range(5):
        log_in(client, page, staff.email, "wrong-guess", address=f"198.51.100.{n}")

    response = log_in(client, page, staff.email, PASSWORD, address="192.0.2.99")

    assert THROTTLED in response.text
    assert not logged_in(client)


def test_the_lock_lifts_after_fifteen_minutes(client, page, staff):
    for _ in range(5):
        log_in(client, page, staff.email, "wrong-guess")
    as_if_passed(timedelta(minutes=15))

    response = log_in(client, page, staff.email, PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_twenty_failures_from_one_address_lock_it_for_every_account(client, page, staff, make_user):
    for n in range(20):
        log_in(client, page, f"nobody{n}@example.com", "wrong-guess")

    locked = log_in(client, page, staff.email, PASSWORD)
    elsewhere = log_in(client, page, staff.email, PASSWORD, address="192.0.2.99")

    assert THROTTLED in locked.text
    assert elsewhere.status_code == 302


def test_behind_a_proxy_the_address_it_saw_counts_not_what_the_client_wrote(
    client, settings, staff
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(20):
        log_in(
            client,
            LOGIN,
            f"nobody{n}@example.com",
            "wrong-guess",
            address="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7",
        )

    same_client = log_in(
        client,
        LOGIN,
        staff.email,
        PASSWORD,
        address="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7",
    )
    other_client = log_in(
        client,
        LOGIN,
        staff.email,
        PASSWORD,
        address="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
    )

    assert THROTTLED in same_client.text
    assert other_client.status_code == 302


def test_the_counters_keep_no_email_or_address_in_clear(client, staff):
    log_in(client, LOGIN, staff.email, "wrong-guess")

    keys = " ".join(RateLimit.objects.values_list("key", flat=True))
    assert staff.email not in keys
    assert "203.0.113.7" not in keys
