"""The voices and languages Twilio's <Say> speaks: the one list the phone tree is checked against.

From Twilio's <Say> and text-to-speech pages (twilio.com/docs/voice/twiml/say): the languages of
the `language` attribute, and the Amazon Polly voices with the languages each speaks. A voice
read in a language it does not speak fails the <Say>, so a menu is refused before it is heard.
"""

from django.utils.translation import gettext as _

# Twilio's <Say> language list: Alice's languages and those of the Polly voices below.
LANGUAGES = frozenset(
    {
        "arb",
        "ca-ES",
        "cmn-CN",
        "cy-GB",
        "da-DK",
        "de-DE",
        "en-AU",
        "en-CA",
        "en-GB",
        "en-GB-WLS",
        "en-IN",
        "en-US",
        "es-ES",
        "es-MX",
        "es-US",
        "fi-FI",
        "fr-CA",
        "fr-FR",
        "hi-IN",
        "is-IS",
        "it-IT",
        "ja-JP",
        "ko-KR",
        "nb-NO",
        "nl-NL",
        "pl-PL",
        "pt-BR",
        "pt-PT",
        "ro-RO",
        "ru-RU",
        "sv-SE",
        "tr-TR",
        "zh-CN",
        "zh-HK",
        "zh-TW",
    }
)

POLLY_VOICES = {
    "arb": ["Zeina"],
    "cmn-CN": ["Zhiyu"],
    "cy-GB": ["Gwyneth"],
    "da-DK": ["Naja", "Mads"],
    "de-DE": ["Marlene", "Vicki", "Hans"],
    "en-AU": ["Nicole", "Russell"],
    "en-GB": ["Amy", "Emma", "Brian"],
    "en-GB-WLS": ["Geraint"],
    "en-IN": ["Aditi", "Raveena"],
    "en-US": ["Ivy", "Joanna", "Kendra", "Kimberly", "Salli", "Joey", "Justin", "Matthew"],
    "es-ES": ["Conchita", "Lucia", "Enrique"],
    "es-MX": ["Mia"],
    "es-US": ["Lupe", "Penelope", "Miguel"],
    "fr-CA": ["Chantal"],
    "fr-FR": ["Celine", "Lea", "Mathieu"],
    "hi-IN": ["Aditi"],
    "is-IS": ["Dora", "Karl"],
    "it-IT": ["Carla", "Bianca", "Giorgio"],
    "ja-JP": ["Mizuki", "Takumi"],
    "ko-KR": ["Seoyeon"],
    "nb-NO": ["Liv"],
    "nl-NL": ["Lotte", "Ruben"],
    "pl-PL": ["Ewa", "Maja", "Jacek", "Jan"],
    "pt-BR": ["Camila", "Vitoria", "Ricardo"],
    "pt-PT": ["Ines", "Cristiano"],
    "ro-RO": ["Carmen"],
    "ru-RU": ["Tatyana", "Maxim"],
    "sv-SE": ["Astrid"],
    "tr-TR": ["Filiz"],
}
# Twilio's own voices: man and woman speak these; Alice speaks every language above of hers.
BASIC_VOICES = {
    "man": {"en-US", "en-GB", "es-ES", "fr-FR", "de-DE"},
    "woman": {"en-US", "en-GB", "es-ES", "fr-FR", "de-DE"},
    "alice": {
        "da-DK", "de-DE", "en-AU", "en-CA", "en-GB", "en-IN", "en-US", "ca-ES", "es-ES", "es-MX",
        "fi-FI", "fr-CA", "fr-FR", "it-IT", "ja-JP", "ko-KR", "nb-NO", "nl-NL", "pl-PL", "pt-BR",
        "pt-PT", "ru-RU", "sv-SE", "zh-CN", "zh-HK", "zh-TW",
    },
}  # fmt: skip

VOICE_LANGUAGES: dict[str, frozenset[str]] = {
    **{voice: frozenset(languages) for voice, languages in BASIC_VOICES.items()},
    **{
        f"Polly.{name}": frozenset(lang for lang, names in POLLY_VOICES.items() if name in names)
        for names in POLLY_VOICES.values()
        for name in names
    },
}


def language_problem(language: str) -> str | None:
    """Why <Say> cannot speak `language`, or None (blank: Twilio's default, en-US)."""
    if language and language not in LANGUAGES:
        return _("“%(language)s” is not a language Twilio’s <Say> speaks (e.g. en-GB, ja-JP).") % {
            "language": language
        }
    return None


def voice_problem(voice: str, language: str) -> str | None:
    """Why `voice` cannot speak `language`, or None (blank: Twilio's default voice)."""
    if not voice:
        return None
    if voice not in VOICE_LANGUAGES:
        unknown = _("“%(voice)s” is not a voice Twilio’s <Say> knows (e.g. Polly.Amy).")
        return unknown % {"voice": voice}
    spoken = VOICE_LANGUAGES[voice]
    if language and language not in spoken:
        return _("%(voice)s does not speak %(language)s; it speaks %(spoken)s.") % {
            "voice": voice,
            "language": language,
            "spoken": ", ".join(sorted(spoken)),
        }
    return None
