"""Twilio's webhooks are answered on the lean path (airtng/webhooks.py): none of the browser's
middleware runs for them, and every property that protects them still holds."""

from urllib.parse import urlencode

import pytest
from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict

from airtng.twilio import form_fields
from tests.conftest import twilio_signature
from tests.ivr.test_et_phone_home import GOLDEN_DIRECTIONS

pytestmark = pytest.mark.django_db


def test_a_webhook_answer_has_no_session_language_or_page_headers(twilio_post):
    response = twilio_post("/ivr/menu", {"Digits": "1"}, **{"Accept-Language": "ja"})

    assert response.content.decode() == GOLDEN_DIRECTIONS
    assert not response.cookies
    for header in ("Vary", "Content-Language", "Content-Security-Policy", "X-Frame-Options"):
        assert header not in response, header


@pytest.mark.parametrize("path", ["/ivr/menu", "/ivr/ja-menu"])
def test_a_webhook_answer_says_its_length_so_it_is_not_sent_in_chunks(twilio_post, path):
    response = twilio_post(path, {"Digits": "1"})

    assert response.status_code == 200
    assert int(response["Content-Length"]) == len(response.content)


def test_a_page_still_goes_through_the_whole_stack(client):
    response = client.get("/", headers={"Accept-Language": "ja"})

    assert response["Content-Language"] == "ja"
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"


def test_a_webhook_for_a_host_not_allowed_is_a_400(twilio_post, settings):
    settings.ALLOWED_HOSTS = ["airtng.example.com"]

    assert twilio_post("/ivr/menu", {"Digits": "1"}).status_code == 400


def test_a_webhook_over_the_size_limit_is_a_413(twilio_post, settings):
    settings.MAX_REQUEST_BYTES = 100

    assert twilio_post("/ivr/menu", {"Digits": "1", "Body": "x" * 200}).status_code == 413


def test_a_signed_webhook_with_a_nul_byte_is_answered(client):
    params = {"Digits": "1\x00"}
    signature = twilio_signature("http://testserver/ivr/menu", params)

    response = client.post(
        "/ivr/menu",
        "Digits=1%00",
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )

    assert response.content.decode() == GOLDEN_DIRECTIONS


def test_an_unknown_address_under_ivr_is_a_404(twilio_post):
    assert twilio_post("/ivr/nowhere", {}).status_code == 404


ODD_BODIES = [
    b"",
    b"Digits",
    b"Digits=",
    b"Digits=1&Digits=2&Digits=1",
    b"&&Digits=1&",
    b"From=%2B12025550143&To=+12025550100",
    b"Body=a+b%20c%2",
    b"Body=%FF%FE",
    b"Body=\xff\xfe",
    "Body=ありがとう&名前=%E3%83%8F".encode(),
    b"a=1;b=2",
    b"=1&=2",
    b"a+b=c+d&%41%2b=%2",
    b"Body=%zz%4",
    "Body=%E3%81あ%82".encode(),
    b"Body=\xe9%E9+%C3%A9",
]


@pytest.mark.parametrize("body", ODD_BODIES, ids=[repr(body) for body in ODD_BODIES])
def test_a_webhooks_form_is_read_as_django_reads_a_form(body):
    assert dict(form_fields(body).lists()) == dict(QueryDict(body).lists())


@pytest.mark.parametrize(
    "body", [b"a=1&b=2&c=3", b"a=1&&b=2", b"a=1&b=2&", b"&&&", b"a=1&b=2&c=3&d=4"]
)
def test_a_webhooks_form_has_as_many_fields_as_django_allows(body, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    try:
        django_reads = dict(QueryDict(body).lists())
    except TooManyFieldsSent:
        with pytest.raises(TooManyFieldsSent):
            form_fields(body)
    else:
        assert dict(form_fields(body).lists()) == django_reads


def test_a_signed_webhook_with_too_many_fields_is_a_400(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    params = {f"Field{n}": "x" for n in range(11)}

    response = client.post(
        "/ivr/menu",
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": twilio_signature("http://testserver/ivr/menu", params)},
    )

    assert response.status_code == 400


def test_a_signed_webhook_that_is_not_utf_8_is_answered(client):
    params = dict(QueryDict(b"Digits=1&Body=\xff\xfe").items())

    response = client.post(
        "/ivr/menu",
        b"Digits=1&Body=\xff\xfe",
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": twilio_signature("http://testserver/ivr/menu", params)},
    )

    assert response.content.decode() == GOLDEN_DIRECTIONS
