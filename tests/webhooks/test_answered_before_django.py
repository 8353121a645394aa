"""The WSGI application answers the phone tree's steps, and /voice for a stranger, before
Django's request handling (airtng/webhooks_first.py); every other request, and every request
it cannot vouch for, Django answers as before.

Through airtng.wsgi.application itself, as gunicorn calls it (tests/wsgi.py). The ET Phone
Home contract is also checked through it, step by step (tests/ivr, `call_webhook`).
"""

from urllib.parse import urlencode

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from airtng.messaging.models import Direction
from airtng.webhooks_first import Cookie, answer_webhooks_first, cookie_header
from airtng.wsgi import application
from ivr.models import Call
from ivr.webhooks_first import answerer_for
from tests.conftest import twilio_signature
from tests.ivr.test_et_phone_home import GOLDEN_DIRECTIONS, GOLDEN_WELCOME
from tests.wsgi import wsgi_form, wsgi_request

SERVER = "https://airtng.example.com"
STRANGER = "+12025550188"
JAPANESE_STRANGER = "+819012345678"
SID = "CA" + "7" * 32
# What only Django's middleware adds (SecurityMiddleware): its mark on an answer.
DJANGOS_MARK = "X-Content-Type-Options"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def deployed(settings):
    """As deployed: Twilio signs the URLs under PUBLIC_BASE_URL."""
    settings.PUBLIC_BASE_URL = SERVER
    settings.ALLOWED_HOSTS = ["airtng.example.com"]


def call(path, params=None, *, signed_as=None, app=application, **environ):
    params = {"CallSid": SID, "From": STRANGER, "To": "+15005550006", **(params or {})}
    signature = twilio_signature(signed_as or f"{SERVER}{path}", params)
    environ = {"HTTP_HOST": "airtng.example.com", **environ}
    return wsgi_form(path, params, signature=signature, app=app, **environ)


def test_a_step_is_answered_with_its_twiml_and_length_and_nothing_for_browsers():
    answered = call("/ivr/menu", {"Digits": "1"})

    assert answered.status_code == 200
    assert answered.content.decode() == GOLDEN_DIRECTIONS
    assert answered.headers == [
        ("Content-Type", "text/xml; charset=utf-8"),
        ("Content-Length", str(len(answered.content))),
    ]


def test_the_welcome_pins_the_call_to_the_live_revision_as_the_view_does():
    answered = call("/ivr/welcome")

    assert answered.content.decode() == GOLDEN_WELCOME
    assert answered["Set-Cookie"] == f"ivr_revision=1.{SID}; HttpOnly; Path=/ivr/"
    assert DJANGOS_MARK not in answered


@pytest.mark.parametrize("value", ["1.CA" + "a" * 32, "12", "a b", 'say "hi"', "semi;colon", "é"])
def test_a_cookie_is_written_as_django_writes_it(value):
    response = HttpResponse()
    response.set_cookie("ivr_revision", value, path="/ivr/", httponly=True)

    expected = response.cookies["ivr_revision"].output(header="").strip()
    assert cookie_header(Cookie("ivr_revision", value, "/ivr/")) == expected


def test_a_step_costs_no_query_and_is_logged_once_answered(settings):
    settings.IVR_TREE_CHECK_SECONDS = settings.PHONE_BOOK_CHECK_SECONDS = 3600
    settings.CALL_LOG_BATCH = 3
    call("/ivr/welcome")  # the tree compiled, the phone book read

    with CaptureQueriesContext(connection) as queries:
        assert call("/ivr/menu", {"Digits": "2"}).status_code == 200
    assert queries.captured_queries == []
    assert not Call.objects.filter(sid=SID).exists()
    call("/ivr/planets", {"Digits": "2"})  # the batch of three is full: written once closed

    logged = Call.objects.get(sid=SID)
    assert (logged.from_number, logged.direction) == (STRANGER, Direction.INBOUND)
    steps = list(logged.steps.order_by("answered_at", "id").values_list("url", "digits"))
    assert steps == [("/ivr/welcome", ""), ("/ivr/menu", "2"), ("/ivr/planets", "2")]
    assert "<Dial>+19295566487</Dial>" in logged.steps.get(url="/ivr/planets").twiml


def test_a_stranger_calling_airtng_hears_thanks_in_their_countrys_language():
    english = call("/voice")
    japanese = call("/voice", {"From": JAPANESE_STRANGER})

    assert english.content.decode().endswith("<Say>Thanks for calling!</Say></Response>")
    assert "お電話ありがとうございます" in japanese.content.decode()
    assert DJANGOS_MARK not in english and DJANGOS_MARK not in japanese


def test_a_caller_with_an_account_is_greeted_by_name_by_the_view(make_user):
    make_user(first_name="Gus", phone_number="+12015550123")

    answered = call("/voice", {"From": "+12015550123"})

    assert "Thanks for calling, Gus!" in answered.content.decode()
    assert DJANGOS_MARK in answered  # Django's view answered


def test_a_call_to_a_proxy_number_is_put_through_by_the_view(settings):
    settings.TWILIO_PROXY_NUMBERS = ["+15005550010"]

    answered = call("/voice", {"To": "+15005550010"})

    assert answered.status_code == 200
    assert DJANGOS_MARK in answered
    assert "Thanks for calling!" not in answered.content.decode()


def test_a_bad_or_missing_signature_is_django_s_403():
    params = {"CallSid": SID, "Digits": "1"}
    forged = wsgi_form("/ivr/menu", params, signature="forged", HTTP_HOST="airtng.example.com")
    unsigned = wsgi_request(
        "POST",
        "/ivr/menu",
        urlencode(params).encode(),
        CONTENT_TYPE="application/x-www-form-urlencoded",
        HTTP_HOST="airtng.example.com",
    )

    assert (forged.status_code, forged.content) == (403, b"")
    assert (unsigned.status_code, unsigned.content) == (403, b"")


def test_a_signature_for_another_address_is_refused():
    assert call("/ivr/menu", {"Digits": "1"}, signed_as=f"{SERVER}/ivr/planets").status_code == 403


def test_an_unknown_step_is_django_s_404():
    assert call("/ivr/nowhere", {"Digits": "1"}).status_code == 404


def test_a_nul_byte_goes_to_django_which_reads_the_same_body_cleaned():
    params = {"CallSid": SID, "Digits": "1\x00"}
    answered = wsgi_request(
        "POST",
        "/ivr/menu",
        b"CallSid=" + SID.encode() + b"&Digits=1%00",
        CONTENT_TYPE="application/x-www-form-urlencoded",
        HTTP_HOST="airtng.example.com",
        HTTP_X_TWILIO_SIGNATURE=twilio_signature(f"{SERVER}/ivr/menu", params),
    )

    assert answered.content.decode() == GOLDEN_DIRECTIONS
    assert DJANGOS_MARK in answered


def test_a_step_asked_with_a_query_or_by_get_is_answered_by_django():
    signed_get = wsgi_request(
        "GET",
        "/ivr/menu?Digits=1",
        HTTP_HOST="airtng.example.com",
        HTTP_X_TWILIO_SIGNATURE=twilio_signature(f"{SERVER}/ivr/menu?Digits=1", {}),
    )
    with_query = call("/ivr/menu?x=1", {"Digits": "1"})

    for answered in (signed_get, with_query):
        assert answered.content.decode() == GOLDEN_DIRECTIONS
        assert DJANGOS_MARK in answered


def test_a_body_over_the_size_limit_is_django_s_413(settings):
    settings.MAX_REQUEST_BYTES = 100

    assert call("/ivr/menu", {"Digits": "1", "Body": "x" * 200}).status_code == 413


def test_too_many_fields_are_django_s_400(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5

    assert call("/ivr/menu", {f"F{n}": "x" for n in range(10)}).status_code == 400


def test_over_http_when_https_is_required_django_redirects(settings):
    settings.SECURE_SSL_REDIRECT = True
    # As airtng/wsgi.py builds it, with SecurityMiddleware reading the setting.
    app = answer_webhooks_first(WSGIHandler(), answerer_for)

    answered = call("/ivr/menu", {"Digits": "1"}, app=app)

    assert answered.status_code == 301
    assert answered["Location"] == "https://airtng.example.com/ivr/menu"


def test_behind_a_proxy_that_says_https_the_step_is_answered(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    app = answer_webhooks_first(WSGIHandler(), answerer_for)

    answered = call("/ivr/menu", {"Digits": "1"}, app=app, HTTP_X_FORWARDED_PROTO="https")

    assert answered.content.decode() == GOLDEN_DIRECTIONS
    assert DJANGOS_MARK not in answered


def test_without_public_base_url_django_checks_the_host_and_answers(settings):
    settings.PUBLIC_BASE_URL = ""

    answered = call("/ivr/menu", {"Digits": "1"}, signed_as="http://airtng.example.com/ivr/menu")
    elsewhere = call("/ivr/menu", {"Digits": "1"}, HTTP_HOST="evil.example.com")

    assert answered.content.decode() == GOLDEN_DIRECTIONS
    assert DJANGOS_MARK in answered
    assert elsewhere.status_code == 400


def test_pages_are_django_s_as_ever():
    page = wsgi_request("GET", "/accounts/login/", HTTP_HOST="airtng.example.com")

    assert page.status_code == 200
    assert "Content-Security-Policy" in page
