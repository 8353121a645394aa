"""Every Twilio webhook refuses a request Twilio did not sign, before touching anything."""

from urllib.parse import urlencode

import pytest
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, resolve

from airtng.twilio import has_valid_signature

from .conftest import GENUINE_ANSWER, TWILIO_METHODS, TWILIO_ROUTES, signature

# twilio-python's own test vectors (tests/unit/test_request_validator.py): Twilio's
# algorithm as Twilio computes it, so our check is held to theirs, not to itself.
VECTOR_TOKEN = "12345"
VECTOR_PATH = "/myapp.php?foo=1&bar=2"
VECTOR_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675309",
    "Digits": "1234",
    "From": "+14158675309",
    "To": "+18005551212",
}
VECTOR_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
VECTOR_REPEATED_FIELD = "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234"
VECTOR_REPEATED_FIELD_SIGNATURE = "IK+Dwps556ElfBT0I3Rgjkr1wJU="

TOKEN = "test-auth-token"
PARAMS = {
    "MessageSid": "SM" + "1" * 32,
    "AccountSid": "AC" + "0" * 32,
    "From": "+12015550100",
    "To": "+15005550006",
    "Body": "accept",
    "MessageStatus": "delivered",
}


@pytest.fixture
def twilio_token(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = ""


def vector_request(settings, *, path=VECTOR_PATH, data=VECTOR_PARAMS, **extra):
    settings.ALLOWED_HOSTS = ["mycompany.com", "testserver"]
    return RequestFactory().post(
        path, data, headers={"X-Twilio-Signature": VECTOR_SIGNATURE}, **extra
    )


@pytest.mark.parametrize(
    ("public_base_url", "host"),
    [("", "mycompany.com"), ("https://mycompany.com", "testserver")],
    ids=["own-url", "public-base-url"],
)
def test_our_check_agrees_with_twilios_published_vector(settings, public_base_url, host):
    settings.TWILIO_AUTH_TOKEN = VECTOR_TOKEN
    settings.PUBLIC_BASE_URL = public_base_url
    request = vector_request(settings, secure=True, SERVER_NAME=host, SERVER_PORT="443")

    assert has_valid_signature(request)


def test_our_check_agrees_with_twilios_vector_for_a_repeated_field(settings):
    settings.TWILIO_AUTH_TOKEN = VECTOR_TOKEN
    settings.PUBLIC_BASE_URL = "https://mycompany.com"
    request = vector_request(
        settings, data=VECTOR_REPEATED_FIELD, content_type="application/x-www-form-urlencoded"
    )
    request.META["HTTP_X_TWILIO_SIGNATURE"] = VECTOR_REPEATED_FIELD_SIGNATURE

    assert has_valid_signature(request)


@pytest.mark.parametrize(
    ("token", "path", "data"),
    [
        ("12346", VECTOR_PATH, VECTOR_PARAMS),
        (VECTOR_TOKEN, "/myapp.php?foo=1&bar=3", VECTOR_PARAMS),
        (VECTOR_TOKEN, VECTOR_PATH, {**VECTOR_PARAMS, "Digits": "1235"}),
    ],
    ids=["token", "url", "param"],
)
def test_our_check_refuses_the_vector_with_one_thing_changed(settings, token, path, data):
    settings.TWILIO_AUTH_TOKEN = token
    settings.PUBLIC_BASE_URL = "https://mycompany.com"

    assert not has_valid_signature(vector_request(settings, path=path, data=data))


def other_route(path):
    return "/sms/status" if path != "/sms/status" else "/reservations/incoming"


def forge(kind, path):
    """(path to POST to, form sent, X-Twilio-Signature or None) for one kind of forgery."""
    url = f"http://testserver{path}"
    genuine = signature(url, PARAMS, TOKEN)
    return {
        "missing header": (path, PARAMS, None),
        "empty header": (path, PARAMS, ""),
        "garbage header": (path, PARAMS, "not-a-signature"),
        "one character changed": (path, PARAMS, ("B" if genuine[0] == "A" else "A") + genuine[1:]),
        "signed for other params": (
            path,
            PARAMS,
            signature(url, {**PARAMS, "MessageSid": "SM" + "2" * 32, "Body": "no"}, TOKEN),
        ),
        "tampered value": (path, {**PARAMS, "Body": "reject"}, genuine),
        "extra param": (path, {**PARAMS, "ErrorCode": "30003"}, genuine),
        "param removed": (path, {k: v for k, v in PARAMS.items() if k != "Body"}, genuine),
        "query string added": (f"{path}?Body=reject", PARAMS, genuine),
        "another token": (path, PARAMS, signature(url, PARAMS, "another-auth-token")),
        "another host": (path, PARAMS, signature(f"http://evil.example{path}", PARAMS, TOKEN)),
        "another scheme": (path, PARAMS, signature(f"https://testserver{path}", PARAMS, TOKEN)),
        "another route": (
            path,
            PARAMS,
            signature(f"http://testserver{other_route(path)}", PARAMS, TOKEN),
        ),
        "GET params sent as POST": (
            path,
            PARAMS,
            signature(f"{url}?{urlencode(PARAMS)}", {}, TOKEN),
        ),
    }[kind]


FORGERIES = [
    "missing header",
    "empty header",
    "garbage header",
    "one character changed",
    "signed for other params",
    "tampered value",
    "extra param",
    "param removed",
    "query string added",
    "another token",
    "another host",
    "another scheme",
    "another route",
    "GET params sent as POST",
]


@pytest.mark.parametrize("route", TWILIO_ROUTES)
@pytest.mark.parametrize("kind", FORGERIES)
def test_a_forged_request_is_refused_before_any_query(
    db, twilio_token, form_post, django_assert_num_queries, route, kind
):
    path, params, forged_signature = forge(kind, route)

    with django_assert_num_queries(0):
        response = form_post(path, params, forged_signature)

    assert response.status_code == 403
    assert response.content == b""


GET_ROUTES = [route for route in TWILIO_ROUTES if "GET" in TWILIO_METHODS[route]]


@pytest.mark.parametrize("route", GET_ROUTES)
@pytest.mark.parametrize(
    ("sent", "signed", "signed_params"),
    [
        ("?Digits=1", None, None),
        ("?Digits=1", "?Digits=2", {}),
        ("?Digits=1", "", {"Digits": "1"}),
    ],
    ids=["missing header", "signed for another query", "POST params sent as GET"],
)
def test_a_forged_get_is_refused_before_any_query(
    db, twilio_token, client, django_assert_num_queries, route, sent, signed, signed_params
):
    headers = {}
    if signed is not None:
        url = f"http://testserver{route}{signed}"
        headers["X-Twilio-Signature"] = signature(url, signed_params, TOKEN)

    with django_assert_num_queries(0):
        response = client.get(route + sent, headers=headers)

    assert response.status_code == 403
    assert response.content == b""


@pytest.mark.parametrize("route", GET_ROUTES)
def test_a_genuine_get_is_let_through(db, twilio_token, client, route):
    url = f"http://testserver{route}?Digits=1"

    response = client.get(
        route + "?Digits=1", headers={"X-Twilio-Signature": signature(url, {}, TOKEN)}
    )

    assert response.status_code == 200


@pytest.mark.parametrize("route", TWILIO_ROUTES)
def test_the_genuine_request_the_forgeries_start_from_is_let_through(
    db, twilio_token, form_post, route
):
    response = form_post(route, PARAMS, signature(f"http://testserver{route}", PARAMS, TOKEN))

    assert response.status_code == GENUINE_ANSWER[route]


PUBLIC_BASE_URL = "https://airtng.example.com"


@pytest.mark.parametrize("route", TWILIO_ROUTES)
@pytest.mark.parametrize("public_base_url", [PUBLIC_BASE_URL, PUBLIC_BASE_URL + "/"])
def test_with_public_base_url_twilio_signs_that_origin_not_ours(
    db, twilio_token, settings, form_post, route, public_base_url
):
    settings.PUBLIC_BASE_URL = public_base_url

    for_public = form_post(route, PARAMS, signature(PUBLIC_BASE_URL + route, PARAMS, TOKEN))
    for_testserver = form_post(route, PARAMS, signature(f"http://testserver{route}", PARAMS, TOKEN))

    assert for_public.status_code == GENUINE_ANSWER[route]
    assert for_testserver.status_code == 403


def test_with_public_base_url_the_query_string_is_signed_too(db, twilio_token, settings, form_post):
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    url = PUBLIC_BASE_URL + "/sms/status?attempt=2"

    with_query = form_post("/sms/status?attempt=2", PARAMS, signature(url, PARAMS, TOKEN))
    other_query = form_post("/sms/status?attempt=3", PARAMS, signature(url, PARAMS, TOKEN))

    assert with_query.status_code == 204
    assert other_query.status_code == 403


@pytest.mark.parametrize("route", TWILIO_ROUTES)
def test_without_public_base_url_the_requests_own_url_is_signed(
    db, twilio_token, form_post, client, route
):
    for_public = form_post(route, PARAMS, signature(PUBLIC_BASE_URL + route, PARAMS, TOKEN))
    over_https = client.post(
        route,
        urlencode(PARAMS),
        content_type="application/x-www-form-urlencoded",
        secure=True,
        headers={"X-Twilio-Signature": signature(f"https://testserver{route}", PARAMS, TOKEN)},
    )

    assert for_public.status_code == 403
    assert over_https.status_code == GENUINE_ANSWER[route]


@pytest.mark.parametrize(
    ("route", "method"),
    [
        (route, method)
        for route in TWILIO_ROUTES
        for method in ("GET", "PUT", "PATCH", "DELETE")
        if method not in TWILIO_METHODS[route]
    ],
)
def test_a_method_twilio_does_not_use_is_not_allowed(
    db, twilio_token, client, django_assert_num_queries, route, method
):
    url = f"http://testserver{route}"

    with django_assert_num_queries(0):
        response = client.generic(
            method, route, headers={"X-Twilio-Signature": signature(url, {}, TOKEN)}
        )

    assert response.status_code == 405


def every_route(patterns=None, prefix=""):
    """(route, view) for every URL pattern, included ones too."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from every_route(pattern.url_patterns, route)
        else:
            yield route, pattern.callback


def test_every_twilio_url_of_the_contract_checks_signatures():
    for path in TWILIO_ROUTES:
        assert getattr(resolve(path).func, "twilio_webhook", False) is True, path


def test_no_other_route_is_a_webhook_or_exempt_from_csrf():
    exempt = {
        route
        for route, view in every_route()
        if getattr(view, "csrf_exempt", False) or getattr(view, "twilio_webhook", False)
    }

    assert exempt == {resolve(path).route for path in TWILIO_ROUTES}
