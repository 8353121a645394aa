"""The calls' steps answered before Django's request handling (airtng/webhooks_first.py).

Each mirrors its view in ivr/views.py, through the same services, for the steps whose
answer each process has compiled: the phone tree's, and /voice for a number no one owns.
Any other (None) is its view's. The step is logged as the views log theirs.
"""

from functools import cache, wraps

from django.urls import reverse

from airtng.webhooks_first import Answer, Cookie

from . import voice_line
from .call_log import log_answer
from .tree import REVISION_COOKIE, REVISION_COOKIE_PATH, answer_step


def answerer_for(path: str):
    """What answers a POST to `path` before Django, if anything may."""
    voice, tree = _paths()
    if path == voice:
        return _voice
    if path.startswith(tree):
        return _tree_step
    return None


@cache
def _paths() -> tuple[str, str]:
    """(/voice, /ivr/): where the URLconf serves the voice line and the phone tree."""
    return reverse("voice"), reverse("phone_tree", args=["slug"]).removesuffix("slug")


def _logged(answerer):
    @wraps(answerer)
    def answer_and_log(path, fields, cookies) -> Answer | None:
        answered = answerer(path, fields, cookies)
        if answered is not None:
            log_answer(fields, url=path, query={}, answer=answered.document)
        return answered

    return answer_and_log


@_logged
def _voice(path, fields, cookies) -> Answer | None:
    document = voice_line.strangers_greeting(caller=fields.get("From", ""), to=fields.get("To", ""))
    return None if document is None else Answer(document)


@_logged
def _tree_step(path, fields, cookies) -> Answer | None:
    step = answer_step(
        path.removeprefix(_paths()[1]),
        call_sid=fields.get("CallSid", "")[:64],
        caller=fields.get("From", ""),
        digits=fields.get("Digits"),
        cookie=cookies.get(REVISION_COOKIE),
    )
    if step is None:
        return None  # Django's 404
    if step.cookie is None:
        return Answer(step.document)
    return Answer(step.document, Cookie(REVISION_COOKIE, step.cookie, REVISION_COOKIE_PATH))
