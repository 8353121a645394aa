"""The settings an operator sets (../shared/PRODUCT.md), read in a fresh process each."""

import json
import os
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
}


def test_debug_is_off_unless_asked_for(tmp_path):
    code = "from django.conf import settings as s; print(s.DEBUG)"

    result = run_django(code, tmp_path, SECRET_KEY="x" * 64)

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

    result = run_django(code, tmp_path, SECRET_KEY="x" * 64)

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
    dotenv = PROJECT / ".env"
    if dotenv.exists():
        pytest.skip("a real .env is in the project root")
    dotenv.write_text("TWILIO_PHONE_NUMBER=+15005550001\n")
    try:
        code = "from django.conf import settings as s; print(s.TWILIO_PHONE_NUMBER)"
        result = run_django(code, tmp_path, DEBUG="true")
    finally:
        dotenv.unlink()

    assert result.stdout.strip() == "+15005550001"


def test_production_refuses_to_start_with_the_dev_key(tmp_path):
    result = run_django("", tmp_path, DEBUG="false", ALLOWED_HOSTS="airtng.example.com")

    assert result.returncode != 0
    assert "production refuses to start with the dev key" in result.stderr


def test_production_starts_with_a_real_key(tmp_path):
    code = "from django.conf import settings as s; print(s.DEBUG, s.ALLOWED_HOSTS)"

    result = run_django(
        code, tmp_path, DEBUG="false", SECRET_KEY="x" * 64, ALLOWED_HOSTS="airtng.example.com"
    )

    assert result.stdout.strip() == "False ['airtng.example.com']"


@pytest.mark.parametrize(
    ("environ", "countries"),
    [({}, ["US", "CA", "GB", "JP"]), ({"SMS_COUNTRIES": "us, fr"}, ["US", "FR"])],
    ids=["default", "set"],
)
def test_sms_countries(tmp_path, environ, countries):
    code = "from django.conf import settings as s; print(','.join(s.SMS_COUNTRIES))"

    result = run_django(code, tmp_path, DEBUG="true", **environ)

    assert result.stdout.strip() == ",".join(countries)
