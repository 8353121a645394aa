"""Reading the phone tree into TwiML: a fixed number of queries per call, whatever its size."""

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from accounts.languages import COUNTRY_LANGUAGES, language_for_number
from airtng.messaging.countries import country_of

from .models import Menu, Option


def menu_at(slug: str) -> Menu | None:
    """The menu answering at /ivr/<slug>, with its options: two queries."""
    options = Option.objects.select_related("target_menu")
    return (
        Menu.objects.filter(Q(entry_slug=slug) | Q(choice_slug=slug))
        .select_related("main_menu")
        .prefetch_related(Prefetch("options", queryset=options))
        .first()
    )


def caller_language(caller: str) -> str:
    """A number of a country with its own language (+81), or its owner's language."""
    return COUNTRY_LANGUAGES.get(country_of(caller)) or language_for_number(caller)


def menu_language(menu: Menu) -> str | None:
    """The site language the menu's replies speak (ja-JP: ja), if Airtng speaks it."""
    try:
        return translation.get_supported_language_variant(menu.reply_language.lower())
    except LookupError:
        return None


def translation_for(menu: Menu, caller: str) -> str | None:
    """The URL of this entry menu in the caller's language, if it differs and exists.

    By convention the tree played at /ivr/<slug> answers in Japanese at /ivr/ja-<slug>.
    """
    language = caller_language(caller)
    if language == (menu_language(menu) or translation.get_language()):
        return None
    slug = f"{language}-{menu.entry_slug}"
    if not Menu.objects.filter(entry_slug=slug).exists():
        return None
    return reverse("phone_tree", args=[slug])


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
    gather = response.gather(num_digits=1, action=f"/ivr/{menu.choice_slug}", method="POST")
    _say(gather, menu.prompt, menu.voice, menu.language, loop=menu.loop)
    return response


def answer(menu: Menu, digits: str | None) -> VoiceResponse:
    """What the caller hears after pressing `digits` at `menu`, in the menu's language."""
    with translation.override(menu_language(menu) or translation.get_language()):
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
