"""What each step of the phone tree says, as TwiML (ivr/tree.py compiles it once per process)."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from accounts.languages import COUNTRY_LANGUAGES, owner_language
from airtng.messaging.countries import valid_number

from .models import TWILIO_FINISH_KEY, Menu, Option


def caller_language(caller: str) -> str:
    """A number of a country with its own language (+81), else its owner's language.

    Asked at every call's entry, so: no query for a number of such a country or no valid
    number, else one indexed read.
    """
    number = valid_number(caller)
    if number is None:
        return settings.LANGUAGE_CODE
    return (
        COUNTRY_LANGUAGES.get(number.country)
        or owner_language(number.e164)
        or settings.LANGUAGE_CODE
    )


def menu_language(menu: Menu) -> str | None:
    """The site language the menu's replies speak (ja-JP: ja), if Airtng speaks it."""
    try:
        return translation.get_supported_language_variant(menu.reply_language.lower())
    except LookupError:
        return None


def translated_slug(menu: Menu, language: str) -> str:
    """By convention the tree played at /ivr/<slug> answers in Japanese at /ivr/ja-<slug>."""
    return f"{language}-{menu.entry_slug}"


def redirect_to(url: str) -> VoiceResponse:
    response = VoiceResponse()
    response.redirect(url)
    return response


def _say(verb, text, voice, language, **extra):
    attrs = {"voice": voice, "language": language, **extra}
    verb.say(text, **{k: v for k, v in attrs.items() if v})


def play(menu: Menu, response: VoiceResponse | None = None) -> VoiceResponse:
    """The menu's prompt, read `loop` times while waiting for one key."""
    response = response or VoiceResponse()
    finish = (
        {} if menu.finish_on_key == TWILIO_FINISH_KEY else {"finish_on_key": menu.finish_on_key}
    )
    gather = response.gather(
        num_digits=1, action=f"/ivr/{menu.choice_slug}", method="POST", **finish
    )
    _say(gather, menu.prompt, menu.voice, menu.language, loop=menu.loop)
    return response


def answer(menu: Menu, digits: str | None) -> VoiceResponse:
    """What the caller hears after pressing `digits` at `menu`, in the menu's language."""
    with translation.override(menu_language(menu) or settings.LANGUAGE_CODE):
        return _answer(menu, digits)


def _answer(menu: Menu, digits: str | None) -> VoiceResponse:
    response = VoiceResponse()
    option = next((o for o in menu.options.all() if o.key == digits), None)

    def say(text):
        _say(response, text, menu.reply_voice, menu.reply_language)

    if option is None or option.action == Option.Action.BACK:
        say(_("Returning to the main menu"))
        response.redirect(f"/ivr/{menu.home.entry_slug}")
    elif option.action == Option.Action.SAY_AND_HANG_UP:
        for text in option.sayings:
            say(text)
        response.hangup()
    elif option.action == Option.Action.MENU:
        play(option.target_menu, response)
    elif option.action == Option.Action.DIAL:
        response.dial(option.number.as_e164)
    return response
