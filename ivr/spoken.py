"""The voice line speaks its caller's language (../shared/PRODUCT.md, "Languages").

Every <Say> of a SpokenResponse (and of the <Gather>s it nests) takes the voice and language
of the language active when it is said; `in_callers_language` activates the caller's.
"""

from functools import wraps

from django.conf import settings
from django.utils import translation
from twilio.twiml.voice_response import Gather, VoiceResponse

from accounts.languages import COUNTRY_LANGUAGES, language_of, owner_language, speech
from accounts.models import User
from airtng.messaging.countries import valid_number

from .calls import on_the_line


class SpokenGather(Gather):
    def say(self, message=None, **kwargs):
        return super().say(message, **{**speech(), **kwargs})


class SpokenResponse(VoiceResponse):
    def say(self, message=None, **kwargs):
        return super().say(message, **{**speech(), **kwargs})

    def gather(self, **kwargs):
        return self.nest(SpokenGather(**kwargs))


def in_callers_language(answer):
    """Build the answer to the person on the line in their language: a user's own, else
    their country's. On a call Airtng placed, that is the person it dialled, not `From`,
    and `answer` is told so: it gets `caller` as that number and `placed=True`. It gets
    `user` too, the number's verified owner or None: the one lookup of the caller.
    """

    @wraps(answer)
    def answered(*, caller: str, call_sid: str, **kwargs):
        person, placed = on_the_line(call_sid=call_sid, caller=caller)
        number = valid_number(person)
        user = None
        # Most callers own no account: one lean read says so, the model only for owners.
        if number is not None and owner_language(number.e164) is not None:
            user = User.objects.with_verified_number(number.e164)
        language = language_of(user) if user is not None else strangers_language(number)
        with translation.override(language):
            return answer(caller=person, call_sid=call_sid, placed=placed, user=user, **kwargs)

    return answered


def strangers_language(number) -> str:
    """What a caller whose number (a valid_number, or None) is no one's hears: their
    country's language, else LANGUAGE_CODE."""
    if number is None:
        return settings.LANGUAGE_CODE
    return COUNTRY_LANGUAGES.get(number.country, settings.LANGUAGE_CODE)
