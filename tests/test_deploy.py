"""`manage.py check --deploy` passes with the README's production variables, and fails with
each unsafe one; a production process sends the headers and cookies the README promises."""

import pytest

from tests.test_settings import run_django

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "p7Gk2vQx9LmZr4Tb8Nw1Yc6Hd3Fs5Ja0Ue-Xo_Ri7Kq2Vn9Mt4Bg1Cl8Wy6Ez3Sh",
    "ALLOWED_HOSTS": "airtng.example.com",
    "EMAIL_URL": "smtp+tls://airtng:secret@smtp.example.com:587",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "a-real-auth-token",
    "PUBLIC_BASE_URL": "https://airtng.example.com",
}


def check_deploy(tmp_path, **changes):
    environ = {name: value for name, value in {**PRODUCTION, **changes}.items() if value}
    code = (
        "from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    return run_django(code, tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", **environ)


def test_the_readmes_production_variables_pass(tmp_path):
    result = check_deploy(tmp_path)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("unsafe", "complaint"),
    [
        ({"DEBUG": "true"}, "security.W018"),
        ({"SECRET_KEY": ""}, "production refuses to start with the dev key"),
        ({"EMAIL_URL": ""}, "airtng.E001"),
        ({"EMAIL_URL": "consolemail://"}, "airtng.E001"),
        ({"EMAIL_URL": "memorymail://"}, "airtng.E001"),
        ({"SECURE_HSTS_SECONDS": "2592000"}, "airtng.W001"),
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
        ({"PUBLIC_BASE_URL": "http://airtng.example.com"}, "airtng.W002"),
        ({"ALLOWED_HOSTS": "*"}, "airtng.W003"),
        ({"PUBLIC_BASE_URL": ""}, "airtng.W004"),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_each_unsafe_variable_fails(tmp_path, unsafe, complaint):
    result = check_deploy(tmp_path, **unsafe)

    assert result.returncode != 0
    assert complaint in result.stderr


def test_a_development_mail_backend_fails_every_check_with_debug_off(tmp_path):
    code = "from django.core.management import call_command; call_command('check')"

    result = run_django(code, tmp_path, **{**PRODUCTION, "EMAIL_URL": "consolemail://"})

    assert result.returncode != 0
    assert "airtng.E001" in result.stderr


def test_a_production_page_has_hsts_for_a_year_host_cookies_and_a_strict_csp(tmp_path):
    code = (
        "from django.test import Client; from django.conf import settings as s;"
        "from django.core.management import call_command;"
        "call_command('collectstatic', interactive=False, verbosity=0);"
        "r = Client().get('/accounts/login/', HTTP_HOST='airtng.example.com', secure=True);"
        "print(r.status_code); print(r['Strict-Transport-Security']);"
        "print(r['Content-Security-Policy']); print(sorted(r.cookies));"
        "print(s.SESSION_COOKIE_NAME)"
    )

    # Logs go to stdout too; only what the code printed is read.
    result = run_django(
        code, tmp_path, LOG_LEVEL="ERROR", STATIC_ROOT=str(tmp_path / "static"), **PRODUCTION
    )

    status, hsts, csp, cookies, session_cookie = result.stdout.splitlines()
    assert status == "200", result.stderr
    assert hsts.startswith("max-age=31536000")
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert cookies == "['__Host-csrftoken']"
    assert session_cookie == "__Host-sessionid"
