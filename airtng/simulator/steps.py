"""The interpreter's steps, rendered: a line for the command, a labelled item for the page."""

from datetime import datetime

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

# The steps that end a call, and the ones the page shows on its screen (the rest go to its log).
SCREEN = {"say", "play", "pause", "gather", "press", "timeout", "dial", "hangup", "reject"}


def elapsed(step: dict, started_at: str) -> str:
    seconds = int(
        (datetime.fromisoformat(step["at"]) - datetime.fromisoformat(started_at)).total_seconds()
    )
    return f"[{seconds // 60:02d}:{seconds % 60:02d}]"


def line(step: dict) -> str | None:
    """What `manage.py call` prints for a step (in English, like the rest of its output)."""
    kind = step["kind"]
    times = f" (x{step['loop']})" if step.get("loop", 1) != 1 else ""
    if kind == "say":
        return f"Say{times}: {step['text']}"
    if kind == "play":
        return f"Play{times}: {step['url']}"
    if kind == "pause":
        return f"Pause: {step['seconds']} s"
    if kind == "press":
        return f"Press: {step['key']}"
    if kind == "timeout":
        return f"(no key pressed in {step['seconds']} s)"
    if kind == "dial":
        seen = f" (they see {step['caller_id']} calling)" if step["caller_id"] else ""
        return f"Dial: {step['number']}{seen}"
    if kind in ("hangup", "hung_up"):
        return "Hang up"
    if kind == "reject":
        return f"Rejected ({step['reason']})"
    if kind == "error":
        return f"(error: {step['reason']})"
    return None  # a request, or a <Gather> listening: the next step shows what came of it


def shown(step: dict) -> dict:
    """A step as the page shows it: its words in the viewer's language, and its time."""
    at = timezone.localtime(datetime.fromisoformat(step["at"]))
    return {
        **step,
        "at_label": dateformat.format(at, "H:i:s"),
        "text": label(step),
        "on_screen": step["kind"] in SCREEN or step["kind"] == "error",
    }


def label(step: dict) -> str:
    kind = step["kind"]
    if kind == "say":
        return step["text"]
    if kind == "play":
        return _("Plays %(url)s") % {"url": step["url"]}
    if kind == "pause":
        return _("Silence for %(seconds)s s") % {"seconds": step["seconds"]}
    if kind == "gather":
        return _("Press a key")
    if kind == "press":
        return step["key"]
    if kind == "timeout":
        return _("No key within %(seconds)s s.") % {"seconds": step["seconds"]}
    if kind == "dial":
        if step["caller_id"]:
            return _("Connecting to %(number)s, who sees %(caller_id)s calling…") % step
        return _("Connecting to %(number)s…") % step
    if kind == "hangup":
        return _("Airtng hung up.")
    if kind == "hung_up":
        return _("You hung up.")
    if kind == "reject":
        return _("Airtng rejected the call (%(reason)s).") % step
    if kind == "error":
        return _("The call failed: %(reason)s.") % step
    if kind == "request":
        digits = f" Digits={step['digits']}" if step.get("digits") is not None else ""
        return f"→ {step['method']} {step['url']}{digits}"
    return kind


def waiting_label(waiting: dict | None) -> str:
    if not waiting:
        return ""
    if waiting["finish_on_key"]:
        text = _("Listening for keys (finish with %(key)s); times out after %(timeout)s s.")
    else:
        text = _("Listening for keys; times out after %(timeout)s s.")
    return text % {"key": waiting["finish_on_key"], "timeout": waiting["timeout"]}
