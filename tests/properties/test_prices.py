"""Prices are written as the reader's language writes the currency."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from properties.templatetags.prices import price

pytestmark = pytest.mark.django_db


@pytest.fixture
def loft(make_property, host):
    return make_property(host, title="Loft", nightly_price=Decimal("1234.50"), max_guests=3)


def test_an_english_reader_sees_dollars_with_a_thousands_separator(client, loft):
    response = client.get(reverse("home"), headers={"Accept-Language": "en"})

    assert "$1,234.50 a night" in response.text


def test_a_japanese_reader_sees_the_price_a_night_in_japanese(client, loft):
    response = client.get(reverse("home"), headers={"Accept-Language": "ja"})

    assert "<h1>宿泊先</h1>" in response.text
    assert "1泊 $1,234.50" in response.text


def test_the_property_page_reads_naturally_in_japanese(client, loft):
    response = client.get(loft.get_absolute_url(), headers={"Accept-Language": "ja"})

    assert "1泊 $1,234.50 · 最大3名 · ホスト: Hannahさん" in response.text


@pytest.mark.parametrize(
    ("language", "amount", "currency", "written"),
    [
        ("en", "1234.50", "USD", "$1,234.50"),
        ("ja", "1234.50", "USD", "$1,234.50"),
        ("ja", "12000", "JPY", "￥12,000"),
        ("en", "12000", "JPY", "¥12,000"),
    ],
)
def test_each_currency_keeps_its_own_format(language, amount, currency, written):
    with translation.override(language):
        assert price(Decimal(amount), currency) == written
