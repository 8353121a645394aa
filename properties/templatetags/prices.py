"""Prices as the reader's language writes their currency: $1,234.50, or ￥12,000 for yen."""

from babel.numbers import format_currency
from django import template
from django.utils.translation import get_language, to_locale

register = template.Library()


@register.filter
def price(amount, currency):
    """`amount` in `currency` (a listing's: `listing.nightly_price|price:listing.currency`)."""
    return format_currency(amount, currency, locale=to_locale(get_language() or "en"))
