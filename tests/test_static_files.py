"""Static files: collected under hashed names, compressed, and served by gunicorn via WhiteNoise."""

import json
import re
import secrets

from tests.test_settings import run_django

SERVE = (
    "import json, re; from django.core.management import call_command;"
    "call_command('migrate', verbosity=0);"
    "call_command('collectstatic', '--no-input', verbosity=0);"
    "from django.test import Client; c = Client();"
    "page = c.get('/').content.decode();"
    "css = re.search(r'/static/airtng[.][^\"]*css', page).group(0);"
    "r = c.get(css, HTTP_ACCEPT_ENCODING='gzip');"
    "print(json.dumps([css, r.status_code, r.headers.get('Content-Encoding'),"
    " r.headers['Cache-Control']]))"
)


def test_pages_name_hashed_files_that_are_served_compressed_and_cached_for_ever(tmp_path):
    result = run_django(
        SERVE,
        tmp_path,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        SMS_RECORD_ONLY="true",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        STATIC_ROOT=str(tmp_path / "static"),
    )

    assert result.returncode == 0, result.stderr
    css, status, encoding, cache_control = json.loads(result.stdout.splitlines()[-1])
    assert re.fullmatch(r"/static/airtng\.[0-9a-f]{12}\.css", css)
    assert (status, encoding) == (200, "gzip")
    assert cache_control == "max-age=315360000, public, immutable"
