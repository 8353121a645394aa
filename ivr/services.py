"""Reading the phone tree into TwiML: a fixed number of queries per call, whatever its size."""

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from twilio.twiml.voice_response import VoiceResponse

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
    """What the caller hears after pressing `digits` at `menu`."""
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
