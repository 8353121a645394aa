"""GET /healthz (../shared/PRODUCT.md): 200 when the database answers, migrations are applied
and a worker was seen in the last minute, else 503; a small JSON body, nothing else."""

import json
import secrets
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from airtng.messaging.models import Message
from airtng.messaging.services import queue_sms
from airtng.messaging.upkeep import beat
from tests.test_settings import run_django

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_a_deployment_with_a_live_worker_is_healthy(client, clock):
    beat(worker_id="worker-1", now=NOW - timedelta(seconds=59))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "worker": "ok"},
        "oldest_unsent_sms_seconds": None,
    }


def test_no_worker_seen_in_the_last_minute_is_a_503(client, clock):
    beat(worker_id="worker-1", now=NOW - timedelta(seconds=61))

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "worker": "not seen"}


def test_no_worker_ever_is_a_503(client, clock):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "failing"


def test_it_gives_the_age_of_the_oldest_unsent_sms(client, clock):
    beat(worker_id="worker-1", now=NOW)
    for age in (90, 30):
        Message.objects.filter(pk=queue_sms(to="+12015550123", body="Hi").pk).update(
            created_at=NOW - timedelta(seconds=age)
        )
    Message.objects.filter(pk=queue_sms(to="+12015550124", body="Sent").pk).update(
        created_at=NOW - timedelta(hours=1), status="delivered"
    )

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["oldest_unsent_sms_seconds"] == 90


def test_it_needs_no_login_and_sets_no_cookie(client, clock):
    beat(worker_id="worker-1", now=NOW)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.cookies == {}


PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "airtng.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "a-token",
}
# A load balancer's probe: plain HTTP, its own address as the host.
PROBE = (
    "from django.test import Client;"
    "r = Client(HTTP_HOST='10.0.0.7:8000').get('/healthz');"
    "print(r.status_code, r.content.decode())"
)


def probe(tmp_path, **environ):
    result = run_django(
        PROBE, tmp_path, SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION, **environ
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    return int(status), json.loads(body)


def test_behind_a_load_balancer_an_unmigrated_database_is_a_503_not_a_redirect(tmp_path):
    status, body = probe(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite3")

    assert status == 503
    assert body["checks"] == {"database": "ok", "migrations": "not applied", "worker": "unknown"}


def test_a_database_that_does_not_answer_is_a_503(tmp_path):
    status, body = probe(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/airtng")

    assert status == 503
    assert body == {
        "status": "failing",
        "checks": {"database": "unreachable", "migrations": "unknown", "worker": "unknown"},
        "oldest_unsent_sms_seconds": None,
    }


OTHER_PAGES = (
    "from django.test import Client;"
    "print(Client(HTTP_HOST='10.0.0.7:8000').get('/').status_code,"
    " Client(HTTP_HOST='airtng.example.com').get('/').status_code,"
    " Client(HTTP_HOST='airtng.example.com').post('/healthz').status_code)"
)


def test_only_get_healthz_skips_the_https_redirect_and_the_host_check(tmp_path):
    result = run_django(
        OTHER_PAGES,
        tmp_path,
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path}/empty.sqlite3",
        STATIC_ROOT=str(tmp_path),
        **PRODUCTION,
    )

    # Another host: refused; the right host over plain HTTP: redirected; a POST: redirected too.
    assert result.stdout.splitlines()[-1].split() == ["400", "301", "301"], result.stderr
    assert "DisallowedHost" in result.stdout  # logged, one line
