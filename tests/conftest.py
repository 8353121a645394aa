import itertools
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from twilio.request_validator import RequestValidator

from accounts.models import User
from airtng.messaging.models import Direction, Message
from properties.models import Property
from reservations.models import Reservation
from tests.fake_twilio import FakeTwilio, serve

PASSWORD = "a-long-test-password-42"
_numbers = itertools.count(100)


@pytest.fixture
def make_user(db):
    """A user with a unique, valid, verified US mobile number; override any field."""

    def make(**fields):
        n = next(_numbers)
        fields.setdefault("email", f"user{n}@example.com")
        fields.setdefault("first_name", f"User{n}")
        fields.setdefault("phone_number", f"+1201555{n:04d}")
        fields.setdefault("phone_verified", True)
        return User.objects.create_user(password=PASSWORD, **fields)

    return make


def grant(user, *permissions):
    """Give `user` the permissions named "app_label.codename"; returns the user, fresh."""
    from django.contrib.auth.models import Permission

    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=user.pk)


SIMULATOR_PERMISSIONS = ("simulator.use_simulator", "messaging.view_message", "ivr.view_call")


@pytest.fixture
def host(make_user):
    return make_user(first_name="Hannah", email="hannah@example.com")


@pytest.fixture
def guest(make_user):
    return make_user(first_name="Gus", email="gus@example.com")


@pytest.fixture
def make_property(db):
    def make(host, **fields):
        fields.setdefault("title", "Cabin by the lake")
        fields.setdefault("description", "Quiet, with a canoe.")
        fields.setdefault("location", "Lake Placid, NY")
        fields.setdefault("nightly_price", Decimal("120.00"))
        fields.setdefault("max_guests", 4)
        fields.setdefault("image_url", "https://example.com/cabin.jpg")
        return Property.objects.create(host=host, **fields)

    return make


@pytest.fixture
def listing(make_property, host):
    return make_property(host)


def days_from_now(days):
    return timezone.localdate() + timedelta(days=days)


def readable(day):
    """A date as an English reader expects it in a text: Fri, Dec 11."""
    return f"{day:%a, %b} {day.day}"


def stay_dates(reservation):
    """A stay's dates as texts write them: Fri, Dec 11–Mon, Dec 14."""
    return f"{readable(reservation.check_in)}–{readable(reservation.check_out)}"


@pytest.fixture
def make_reservation(db):
    def make(property, guest, **fields):
        fields.setdefault("check_in", days_from_now(10))
        fields.setdefault("check_out", days_from_now(13))
        fields.setdefault("guests", 2)
        fields.setdefault("message", "We'd love to stay!")
        return Reservation.objects.create(property=property, guest=guest, **fields)

    return make


@pytest.fixture
def login(client):
    def log_in(user):
        client.force_login(user)
        return client

    return log_in


@pytest.fixture(autouse=True)
def no_language_left_active():
    """Each test starts as a fresh worker thread does, with no language active.

    A request activates its language in the thread and leaves it there: a Japanese page must
    not make the next test's texts, written outside any request, Japanese.
    """
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


TWILIO_ACCOUNT_SID = "AC" + "0" * 32
TWILIO_AUTH_TOKEN = "test-auth-token"


@pytest.fixture(autouse=True)
def twilio_auth_token(settings):
    """Webhooks are signed with a real token; production refuses requests without one."""
    settings.TWILIO_AUTH_TOKEN = TWILIO_AUTH_TOKEN


@pytest.fixture(scope="session", autouse=True)
def no_collected_static_files(tmp_path_factory):
    """An empty STATIC_ROOT, for the live server too (WhiteNoise warns if it does not exist)."""
    path = str(tmp_path_factory.mktemp("staticfiles"))
    settings.STATIC_ROOT = path
    return path


@pytest.fixture(autouse=True)
def static_files_as_found(settings, no_collected_static_files):
    """Pages name static files as they are in the source tree: tests run no collectstatic.

    The hashed, compressed names production serves are tested in tests/test_static_files.py.
    """
    settings.STATIC_ROOT = no_collected_static_files  # WhiteNoise warns if it does not exist
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def sms_record_only(settings):
    """Without the `twilio` fixture, SMS are only recorded, as the operator may choose."""
    settings.SMS_RECORD_ONLY = True


@pytest.fixture(scope="session")
def twilio_server():
    fake = FakeTwilio(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)
    server = serve(fake)
    yield fake, server
    server.shutdown()


@pytest.fixture
def twilio(twilio_server, settings):
    """A fake Twilio REST API that Airtng's real twilio client sends to."""
    fake, server = twilio_server
    fake.reset()
    settings.TWILIO_ACCOUNT_SID = TWILIO_ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_AUTH_TOKEN
    settings.TWILIO_API_BASE_URL = server.url
    settings.TWILIO_TIMEOUT_SECONDS = 1.0
    yield fake
    # Every request Airtng made fits Twilio's OpenAPI description.
    assert fake.violations == []


@pytest.fixture
def run_worker(transactional_db):
    """Run queued tasks as `manage.py db_worker --batch` would, until none are ready.

    Outside a test transaction, as in production: the worker sees committed rows only, and
    checks its connection between tasks, which inside a transaction closes it (PostgreSQL).
    """

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    return run


def twilio_signature(url, params):
    """X-Twilio-Signature as Twilio computes it with our token; a list value is a repeated field."""
    fields = MultiValueDict(
        {name: value if isinstance(value, list) else [value] for name, value in params.items()}
    )
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, fields)


@pytest.fixture
def twilio_post(client):
    """POST to a Twilio webhook the way Twilio does: url-encoded fields, a valid signature."""

    def post(path, params, **headers):
        signature = twilio_signature(f"http://testserver{path}", params)
        return client.post(
            path,
            urlencode(params, doseq=True),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature, **headers},
        )

    return post


@pytest.fixture
def twilio_get(client):
    """GET a Twilio webhook the way Twilio does: parameters in the URL, the URL signed."""

    def get(path, params=None, **headers):
        query = urlencode(params or {})
        if query:
            path = f"{path}{'&' if '?' in path else '?'}{query}"
        signature = twilio_signature(f"http://testserver{path}", {})
        return client.get(path, headers={"X-Twilio-Signature": signature, **headers})

    return get


def twiml_root(response):
    """The parsed TwiML of a 200 answer: text/xml, UTF-8, well-formed, rooted at <Response>."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Response"
    return root


def signed_in(user):
    """A client of its own (one per thread), signed in as `user`."""
    client = Client()
    client.force_login(user)
    return client


def sms_to(user, **about):
    """The SMS Airtng queued for `user`'s number, filtered by `about`."""
    return Message.objects.filter(direction=Direction.OUTBOUND, to=str(user.phone_number), **about)
