"""A signed-in browser's session and account are read together, and still end as Django's do."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from airtng.models import Session
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def same_cookie(client):
    """Another browser holding a copy of `client`'s session cookie."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return other


def is_signed_in(client):
    return client.get(reverse("profile")).status_code == 200


def test_a_signed_in_page_reads_the_session_and_the_account_in_one_query(guest):
    client = signed_in(guest)

    with CaptureQueriesContext(connection) as queries:
        assert is_signed_in(client)

    reads = [
        query["sql"]
        for query in queries.captured_queries
        if 'FROM "airtng_session"' in query["sql"] or 'FROM "accounts_user"' in query["sql"]
    ]
    assert len(reads) == 1, reads
    assert '"accounts_user"."password"' in reads[0]


def test_a_cookie_copied_before_logging_out_signs_in_no_more(guest):
    client = signed_in(guest)
    copy = same_cookie(client)
    assert is_signed_in(copy)

    client.post(reverse("logout"))

    assert not is_signed_in(copy)
    assert not Session.objects.exists()


def test_changing_the_password_signs_out_other_browsers_only(guest):
    client = signed_in(guest)
    elsewhere = same_cookie(signed_in(guest))

    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-password-17",
            "new_password2": "another-long-password-17",
        },
    )

    assert response.status_code == 302
    assert is_signed_in(client)
    assert not is_signed_in(elsewhere)


def test_a_deactivated_account_is_signed_out(guest):
    client = signed_in(guest)

    guest.is_active = False
    guest.save()

    assert not is_signed_in(client)


def test_deleting_an_account_ends_its_sessions(guest, host):
    signed_in(guest)
    signed_in(host)

    guest.delete()

    assert list(Session.objects.values_list("user", flat=True)) == [host.pk]
