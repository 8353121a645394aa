"""Signed Twilio requests to the phone tree and the voice line, and their parsed TwiML."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import twilio_signature
from tests.wsgi import wsgi_form

# Where Twilio reaches Airtng in the tests of the calls Airtng places (PUBLIC_BASE_URL).
PUBLIC = "https://airtng.example.com"
AIRTNG = "+15005550006"
JAPANESE_NUMBER = "+819012345678"


@pytest.fixture(params=["GET", "POST", "POST to the WSGI app"])
def call_webhook(request, twilio_get, twilio_post, settings):
    """A signed request to a voice webhook, by GET and by POST (Twilio lets either be set),
    and by POST to the WSGI application, which answers the phone tree's steps before Django
    (airtng/webhooks_first.py) where the test client would go to Django."""
    if request.param == "POST to the WSGI app":
        settings.PUBLIC_BASE_URL = "http://testserver"
        return lambda path, params=None: wsgi_form(
            path, params or {}, signature=twilio_signature(f"http://testserver{path}", params or {})
        )
    send = twilio_get if request.param == "GET" else twilio_post

    def call(path, params=None):
        return send(path, params or {})

    return call


@pytest.fixture
def twilio_calls(client):
    """Twilio's signed request about a placed call `sid` to `path` (the TwiML or a callback).

    Twilio signs the URL under PUBLIC_BASE_URL, which Airtng checks signatures against.
    """

    def post(path, sid, **fields):
        params = {
            "CallSid": sid,
            "AccountSid": "AC" + "0" * 32,
            "From": AIRTNG,
            "To": JAPANESE_NUMBER,
            "Direction": "outbound-api",
            "CallStatus": "in-progress",
            "ApiVersion": "2010-04-01",
            **fields,
        }
        return client.post(
            path,
            params,
            headers={"X-Twilio-Signature": twilio_signature(PUBLIC + path, params)},
        )

    return post


@pytest.fixture
def call_log_in_batches(settings):
    """Production's call log: steps wait in the process and are written CALL_LOG_BATCH at a
    time (none of the timer's writes happens during a test); what is left is written after."""
    from ivr import call_log

    settings.CALL_LOG_BATCH = 50
    settings.CALL_LOG_WAIT_SECONDS = 3600
    yield settings.CALL_LOG_BATCH
    call_log.write_queued()


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def seeded(transactional_db):
    """The seed migrations run afresh: an earlier test of this kind may have flushed their rows."""
    migrate([("ivr", "0001_phone_tree")])
    migrate(latest())
