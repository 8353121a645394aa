"""The settings an operator sets (../shared/PRODUCT.md), read in a fresh process each."""

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "import json; from django.conf import settings as s; from django.db import connection as c;"
    "c.ensure_connection();"
    "print(json.dumps({'DEBUG': s.DEBUG, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS,"
    "'DATABASE': s.DATABASES['default']['ENGINE'], 'NAME': str(s.DATABASES['default']['NAME']),"
    "'OPTIONS': s.DATABASES['default'].get('OPTIONS', {}),"
    "'JOURNAL': c.vendor == 'sqlite' and c.cursor().execute('PRAGMA journal_mode').fetchone()[0],"
    "'TWILIO_PHONE_NUMBER': s.TWILIO_PHONE_NUMBER, 'TWILIO_API_BASE_URL': s.TWILIO_API_BASE_URL,"
    "'TWILIO_ACCOUNT_SID': s.TWILIO_ACCOUNT_SID, 'PUBLIC_BASE_URL': s.PUBLIC_BASE_URL}))"
)


def run_django(code, tmp_path, **environ):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCT_VARIABLES}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=tmp_path,
        env={
            **clean,
            "PYTHONPATH": str(PROJECT),
            "DJANGO_SETTINGS_MODULE": "airtng.settings",
            **environ,
        },
        capture_output=True,
        text=True,
    )


PRODUCT_VARIABLES = {
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_PHONE_NUMBER",
    "TWILIO_API_BASE_URL",
    "PUBLIC_BASE_URL",
    "SMS_COUNTRIES",
    "EMAIL_URL",
    "MAX_REQUEST_BYTES",
    "TRUSTED_PROXY_COUNT",
    "SMS_RECORD_ONLY",
    "PRUNE_AFTER_DAYS",
    "LOG_LEVEL",
    "SECURE_SSL_REDIRECT",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "MEDIA_URL",
}


def test_debug_is_off_unless_asked_for(tmp_path):
    code = "from django.conf import settings as s; print(s.DEBUG)"

    result = run_django(code, tmp_path, SECRET_KEY=secrets.token_urlsafe(50))

    assert result.stdout.strip() == "False"


def test_nothing_set_is_production_and_it_refuses_the_dev_key(tmp_path):
    result = run_django("", tmp_path)

    assert result.returncode != 0
    assert "production refuses to start with the dev key" in result.stderr


def test_the_development_defaults_need_only_debug(tmp_path):
    db = tmp_path / "default.sqlite3"

    result = run_django(PRINT_SETTINGS, tmp_path, DEBUG="true", DATABASE_URL=f"sqlite:///{db}")

    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert settings["DEBUG"] is True
    assert settings["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1"]
    assert settings["TWILIO_PHONE_NUMBER"] == "+15005550006"
    assert settings["TWILIO_API_BASE_URL"] == "https://api.twilio.com"
    assert settings["TWILIO_ACCOUNT_SID"] == settings["PUBLIC_BASE_URL"] == ""


def test_a_visitor_is_refused_the_simulator_when_debug_is_not_set(tmp_path):
    code = (
        "from django.test import Client;"
        "r = Client().get('/phone/', HTTP_HOST='localhost', secure=True);"
        "print(r.status_code, b'Traceback' in r.content)"
    )

    # The refusal is logged on stdout at WARNING; only what the code printed is read.
    result = run_django(code, tmp_path, SECRET_KEY=secrets.token_urlsafe(50), LOG_LEVEL="ERROR")

    assert result.stdout.strip() == "403 False", result.stderr


def test_make_run_turns_debug_on():
    makefile = (PROJECT / "Makefile").read_text()

    assert "run: export DEBUG ?= true" in makefile


def test_the_default_database_is_sqlite_in_the_project_root(tmp_path):
    code = "from django.conf import settings as s; print(s.DATABASES['default']['NAME'])"

    result = run_django(code, tmp_path, DEBUG="true")

    assert result.stdout.strip() == str(PROJECT / "db.sqlite3")


def test_sqlite_writers_wait_for_each_other_in_wal_mode(tmp_path):
    result = run_django(
        PRINT_SETTINGS, tmp_path, DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path}/x.db"
    )

    settings = json.loads(result.stdout)
    assert settings["JOURNAL"] == "wal"
    assert settings["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert settings["OPTIONS"]["timeout"] >= 5


def test_database_url_chooses_postgresql(tmp_path):
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])"

    result = run_django(
        code, tmp_path, DEBUG="true", DATABASE_URL="postgres://u@db.example.com:5432/airtng"
    )

    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_a_dotenv_file_in_the_project_root_is_read(tmp_path):
    # The settings module, copied into a project root of its own: the checkout is not written to.
    root = tmp_path / "project"
    (root / "airtng").mkdir(parents=True)
    (root / "airtng" / "__init__.py").write_text("")
    shutil.copy(PROJECT / "airtng" / "settings.py", root / "airtng" / "settings.py")
    (root / ".env").write_text("TWILIO_PHONE_NUMBER=+15005550001\n")
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCT_VARIABLES}

    result = subprocess.run(
        [sys.executable, "-c", "import airtng.settings as s; print(s.TWILIO_PHONE_NUMBER)"],
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(root), "DEBUG": "true"},
        capture_output=True,
        text=True,
    )

    assert result.stdout.strip() == "+15005550001", result.stderr


def test_production_refuses_to_start_with_the_dev_key(tmp_path):
    result = run_django("", tmp_path, DEBUG="false", ALLOWED_HOSTS="airtng.example.com")

    assert result.returncode != 0
    assert "production refuses to start with the dev key" in result.stderr


@pytest.mark.parametrize(
    "key",
    ["", "short", "x" * 64, secrets.token_urlsafe(30)[:40]],
    ids=["empty", "short", "one-letter", "40"],
)
def test_production_refuses_to_start_with_an_empty_or_short_key(tmp_path, key):
    result = run_django(
        "", tmp_path, DEBUG="false", SECRET_KEY=key, ALLOWED_HOSTS="airtng.example.com"
    )

    assert result.returncode != 0
    assert "production refuses to start with an empty or short key" in result.stderr


def test_production_starts_with_a_real_key(tmp_path):
    code = "from django.conf import settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"

    result = run_django(
        code,
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="airtng.example.com",
    )

    assert result.stdout.strip() == "False ['airtng.example.com']", result.stderr


@pytest.mark.parametrize(
    ("environ", "countries"),
    [({}, ["US", "CA", "GB", "JP"]), ({"SMS_COUNTRIES": "us, fr"}, ["US", "FR"])],
    ids=["default", "set"],
)
def test_sms_countries(tmp_path, environ, countries):
    code = "from django.conf import settings as s; print(','.join(s.SMS_COUNTRIES))"

    result = run_django(code, tmp_path, DEBUG="true", **environ)

    assert result.stdout.strip() == ",".join(countries)


def test_forms_posted_through_the_public_origin_pass_csrf(tmp_path):
    code = "from django.conf import settings as s; print(s.CSRF_TRUSTED_ORIGINS)"

    result = run_django(
        code, tmp_path, DEBUG="true", PUBLIC_BASE_URL="https://abc123.ngrok-free.app/"
    )

    assert result.stdout.strip() == "['https://abc123.ngrok-free.app']", result.stderr


BOOM_URLS = """
from django.urls import path

def boom(request):
    raise ZeroDivisionError("the view divided by zero")

urlpatterns = [path("boom", boom)]
"""


def test_a_500_is_logged_on_stdout_with_its_traceback_on_one_line(tmp_path):
    (tmp_path / "boom_urls.py").write_text(BOOM_URLS)
    code = (
        "import sys; sys.path.insert(0, '.');"
        "from django.test import Client, override_settings;"
        "override_settings(ROOT_URLCONF='boom_urls').enable();"
        "print('status', Client(raise_request_exception=False).get('/boom').status_code)"
    )

    result = run_django(
        code,
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
        STATIC_ROOT=str(tmp_path),
    )

    lines = result.stdout.splitlines()
    assert "status 500" in lines, result.stderr
    [logged] = [line for line in lines if "Internal Server Error" in line]
    assert " ERROR django.request [GET /boom] Internal Server Error: /boom" in logged
    assert "ZeroDivisionError: the view divided by zero" in logged
    assert result.stderr == ""
