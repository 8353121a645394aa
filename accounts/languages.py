"""Which language Airtng speaks to a person or a phone number (../shared/PRODUCT.md, "Languages").

Whoever causes a text or a call, it is written in its reader's language: a user's own, or for a
number that belongs to no one, its country's.
"""

from contextlib import contextmanager

from django.conf import settings
from django.utils import translation
from django.utils.translation import get_language_info

from airtng.messaging.countries import country_of

from .models import User
from .phone_book import verified_numbers

COUNTRY_LANGUAGES = {"JP": "ja"}
# The <Say> attributes of each language Airtng speaks; English keeps Twilio's default voice.
SPEECH = {"ja": {"language": "ja-JP", "voice": "Polly.Mizuki"}}


def language_of(user: User | None) -> str:
    language = getattr(user, "language", "") or ""
    if language in dict(settings.LANGUAGES):
        return language
    return settings.LANGUAGE_CODE


def language_choices() -> list[tuple[str, str]]:
    """Each language Airtng speaks, named in itself (English, 日本語): found by its reader."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


def language_for_number(number) -> str:
    """The language of the number's verified owner, else of its country, else the default."""
    owner = User.objects.with_verified_number(number)
    if owner is not None:
        return language_of(owner)
    return COUNTRY_LANGUAGES.get(country_of(number), settings.LANGUAGE_CODE)


def owner_language(e164: str) -> str | None:
    """The language of the verified owner of the number (E.164), None if nobody owns it.

    Asked on every call, most often about a number that belongs to no one: answered from the
    process's phone book, with no query.
    """
    owner = verified_numbers().get(e164)
    if owner is None:
        return None
    return owner.language if owner.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@contextmanager
def speaking_to(user: User | None = None, *, number=None, language: str | None = None):
    """Write texts inside this block in the reader's language: a user's, a number's, or given."""
    if language is None:
        language = language_of(user) if user is not None else language_for_number(number)
    with translation.override(language):
        yield language


def speech(language: str | None = None) -> dict:
    """The voice and language attributes for <Say> in `language` (default: the active one)."""
    return dict(SPEECH.get(language or translation.get_language() or "", {}))
