"""The countries Airtng texts (SMS_COUNTRIES): texting anywhere invites SMS-pumping fraud."""

from functools import lru_cache
from typing import NamedTuple

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.utils.translation import get_language
from phonenumber_field.phonenumber import PhoneNumber, to_python
from phonenumbers import region_code_for_number


class Number(NamedTuple):
    e164: str
    country: str | None


def valid_number(number) -> Number | None:
    """`number` (a string as Twilio or a person writes it, or a PhoneNumber) in E.164 with its
    country's ISO code, or None if it is no valid number."""
    if isinstance(number, str):
        return _valid_number(number, settings.PHONENUMBER_DEFAULT_REGION)
    parsed = to_python(number)
    if not isinstance(parsed, PhoneNumber) or not parsed.is_valid():
        return None
    return Number(parsed.as_e164, region_code_for_number(parsed))


# Every webhook of a call or an SMS thread carries the same numbers, and validating one
# costs phonenumbers about 0.1 ms: each process remembers the numbers it saw last.
@lru_cache(maxsize=4096)
def _valid_number(number: str, region: str) -> Number | None:
    parsed = to_python(number, region=region)
    if not isinstance(parsed, PhoneNumber) or not parsed.is_valid():
        return None
    return Number(parsed.as_e164, region_code_for_number(parsed))


def country_of(number) -> str | None:
    """The ISO code of `number`'s country, or None if it is no valid number."""
    valid = valid_number(number)
    return valid.country if valid else None


def is_textable(number) -> bool:
    return country_of(number) in settings.SMS_COUNTRIES


def country_names(codes) -> str:
    """The countries' names in the current language, for a message: "Canada, Japan"."""
    try:
        territories = Locale.parse(get_language() or "en", sep="-").territories
    except (UnknownLocaleError, ValueError):
        territories = {}
    return ", ".join(territories.get(code, code) for code in codes)
