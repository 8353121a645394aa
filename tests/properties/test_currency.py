"""Each listing is priced in its own currency, chosen by its host, written for the reader."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from properties.models import Property
from tests.properties.test_listing_crud import listing_form

pytestmark = pytest.mark.django_db


def stay(check_in, check_out):
    return {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "guests": 2}


@pytest.fixture
def machiya(make_property, host):
    return make_property(
        host, title="Machiya", location="Kyoto", nightly_price=Decimal("18000"), currency="JPY"
    )


@pytest.fixture
def cabin(make_property, host):
    return make_property(host, title="Cabin", nightly_price=Decimal("1234.50"))


def test_a_new_listing_is_in_us_dollars_unless_its_host_says(cabin):
    assert cabin.currency == "USD"


def test_the_host_chooses_the_currency_on_the_listing_form(login, host):
    client = login(host)

    form = client.get(reverse("property_create"))
    response = client.post(
        reverse("property_create"), listing_form(nightly_price="18000", currency="JPY")
    )

    for code in ("USD", "CAD", "GBP", "JPY"):
        assert f'<option value="{code}"' in form.text
    listing = Property.objects.get()
    assert response.status_code == 302
    assert listing.currency == "JPY"
    assert "¥18,000 a night" in client.get(listing.get_absolute_url()).text


@pytest.mark.parametrize(
    ("number", "currency"),
    [
        ("+12015550123", "USD"),
        ("+14165550123", "CAD"),
        ("+447400123456", "GBP"),
        ("+819012345678", "JPY"),
    ],
)
def test_the_form_starts_from_the_currency_of_the_hosts_number(login, make_user, number, currency):
    host = make_user(email="h@example.com", phone_number=number)

    form = login(host).get(reverse("property_create"))

    assert f'<option value="{currency}" selected>' in form.text


def test_a_host_changes_the_currency_when_editing(login, host, cabin):
    client = login(host)

    response = client.post(
        reverse("property_edit", args=[cabin.pk]),
        listing_form(nightly_price="15000", currency="GBP"),
    )

    cabin.refresh_from_db()
    assert response.status_code == 302
    assert (cabin.currency, cabin.nightly_price) == ("GBP", Decimal("15000"))


def test_a_price_in_yen_has_no_fraction(login, host):
    client = login(host)

    response = client.post(
        reverse("property_create"), listing_form(nightly_price="18000.50", currency="JPY")
    )

    assert response.status_code == 200
    assert "A price in yen is a whole number of yen." in response.text
    assert not Property.objects.exists()


def test_an_unknown_currency_is_refused(login, host):
    response = login(host).post(reverse("property_create"), listing_form(currency="XBT"))

    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert not Property.objects.exists()


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "2 nights × ¥18,000 = <strong>¥36,000</strong>"),
        ("ja", "2泊 × ￥18,000 = <strong>￥36,000</strong>"),
    ],
)
def test_the_total_of_a_yen_listing_is_in_yen(client, machiya, language, written):
    response = client.get(
        machiya.get_absolute_url(),
        stay(date(2027, 1, 5), date(2027, 1, 7)),
        headers={"Accept-Language": language},
    )

    assert written in response.text


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "2 nights × $1,234.50 = <strong>$2,469.00</strong>"),
        ("ja", "2泊 × $1,234.50 = <strong>$2,469.00</strong>"),
    ],
)
def test_the_total_of_a_dollar_listing_is_in_dollars(client, cabin, language, written):
    response = client.get(
        cabin.get_absolute_url(),
        stay(date(2027, 1, 5), date(2027, 1, 7)),
        headers={"Accept-Language": language},
    )

    assert written in response.text


@pytest.mark.parametrize(
    ("language", "yen", "dollars"),
    [("en", "¥18,000 a night", "$1,234.50 a night"), ("ja", "1泊 ￥18,000", "1泊 $1,234.50")],
)
def test_each_card_is_in_its_listings_currency(client, machiya, cabin, language, yen, dollars):
    response = client.get(reverse("home"), headers={"Accept-Language": language})

    assert yen in response.text
    assert dollars in response.text


def test_the_property_page_is_in_the_listings_currency(client, machiya):
    response = client.get(machiya.get_absolute_url())

    assert "¥18,000 a night · up to 4 guests · hosted by Hannah" in response.text


def test_the_admin_lists_each_price_in_its_currency(client, make_user, machiya, cabin):
    client.force_login(make_user(email="staff@example.com", is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:properties_property_changelist"))

    assert "¥18,000" in response.text
    assert "$1,234.50" in response.text


def test_a_search_by_price_sorts_by_the_number_whatever_the_currency(client, machiya, cabin):
    response = client.get(reverse("home"), {"sort": "price"})

    titles = [listing.title for listing in response.context["page"]]
    assert titles == ["Cabin", "Machiya"]
