"""The voice line speaks its caller's language (../shared/PRODUCT.md, "Languages").

Every <Say> of a SpokenResponse (and of the <Gather>s it nests) takes the voice and language
of the language active when it is said; `in_callers_language` activates the caller's.
"""

from functools import wraps

from twilio.twiml.voice_response import Gather, VoiceResponse

from accounts.languages import speaking_to, speech


class SpokenGather(Gather):
    def say(self, message=None, **kwargs):
        return super().say(message, **{**speech(), **kwargs})


class SpokenResponse(VoiceResponse):
    def say(self, message=None, **kwargs):
        return super().say(message, **{**speech(), **kwargs})

    def gather(self, **kwargs):
        return self.nest(SpokenGather(**kwargs))


def in_callers_language(answer):
    """Build the answer to `caller` in their language: a user's own, else their country's."""

    @wraps(answer)
    def answered(*, caller: str, **kwargs):
        with speaking_to(number=caller):
            return answer(caller=caller, **kwargs)

    return answered
