"""The countries Airtng texts (SMS_COUNTRIES): texting anywhere invites SMS-pumping fraud."""

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.utils.translation import get_language
from phonenumber_field.phonenumber import to_python
from phonenumbers import region_code_for_number


def country_of(number) -> str | None:
    """The ISO code of `number`'s country, or None if it is no valid number."""
    parsed = to_python(number)
    if not parsed or not parsed.is_valid():
        return None
    return region_code_for_number(parsed)


def is_textable(number) -> bool:
    return country_of(number) in settings.SMS_COUNTRIES


def country_names(codes) -> str:
    """The countries' names in the current language, for a message: "Canada, Japan"."""
    try:
        territories = Locale.parse(get_language() or "en", sep="-").territories
    except (UnknownLocaleError, ValueError):
        territories = {}
    return ", ".join(territories.get(code, code) for code in codes)
