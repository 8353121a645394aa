"""The live phone tree, compiled once per process to the TwiML bytes each step answers.

Staff edit the tree a few times a year; callers press keys all day. So each process keeps the
tree compiled: every menu's TwiML at its entry, and at its choice address the answer to each
key and to anything else. An edit of any kind changes the tree's stamp in the database
(`TreeVersion`, written by triggers in the same transaction as the edit), and a process reads
the stamp at most once every `IVR_TREE_CHECK_SECONDS` (default 1): an edit is heard on every
process of every machine at most that long after it commits, and a call costs no query
in between.

A call finishes on the revision it started on: the answer at its entry sets a cookie naming
the revision and the call's CallSid (Twilio sends a call's cookies back with each of its
requests; the CallSid keeps a cookie from serving another call), and a publish meanwhile leaves
it on its own revision. Revisions that were live are never edited, so
each process keeps the last few of them compiled, as the live one.
"""

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from airtng.stamped import StampedCopy
from airtng.twilio import twiml_document

from . import services
from .models import Menu, Option, Revision, TreeVersion

REVISION_COOKIE = "ivr_revision"
REVISION_COOKIE_PATH = "/ivr/"
# Earlier revisions each process keeps compiled for the calls still on them.
EARLIER_REVISIONS_KEPT = 8
# Numbers a cookie named that no live or earlier revision has, remembered for
# IVR_TREE_CHECK_SECONDS so that a forged cookie costs no query per request.
MISSES_KEPT = 256


@dataclass(frozen=True)
class Entry:
    """A menu a call starts at: its prompt, and where callers of other languages are sent."""

    played: bytes
    language: str
    translations: dict[str, bytes] = field(default_factory=dict)

    def answer_for(self, caller: str) -> bytes:
        """The prompt, or a redirect to this tree in the caller's language when there is one."""
        if not self.translations:
            return self.played
        language = services.caller_language(caller)
        if language == self.language:
            return self.played
        return self.translations.get(language, self.played)


@dataclass(frozen=True)
class Choice:
    """A menu's choice address: what each key pressed there answers, and anything else."""

    answers: dict[str, bytes]
    otherwise: bytes

    def answer_for(self, digits: str | None) -> bytes:
        return self.answers.get(digits, self.otherwise)


@dataclass(frozen=True)
class CompiledTree:
    entries: dict[str, Entry]
    choices: dict[str, Choice]
    revision: int | None = None


_compiling = threading.Lock()
_earlier: OrderedDict[int, CompiledTree] = OrderedDict()
_missing: OrderedDict[int, float] = OrderedDict()  # number: when it was looked for


def tree_for_call(cookie: str | None, call_sid: str) -> tuple[CompiledTree, str | None]:
    """The tree this call started on, and the cookie to set at its entry if it has none yet."""
    live = published_tree()
    number, _sep, sid = (cookie or "").partition(".")
    if sid == call_sid and number.isdigit() and len(number) < 10:
        if live.revision == int(number):
            return live, None
        if (earlier := earlier_tree(int(number))) is not None:
            return earlier, None
    if live.revision is None:
        return live, None
    return live, f"{live.revision}.{call_sid}" if call_sid.isalnum() else str(live.revision)


class StepAnswer(NamedTuple):
    document: bytes
    cookie: str | None  # the revision cookie to set, at a call's entry


def answer_step(slug: str, *, call_sid: str, caller: str, digits, cookie) -> StepAnswer | None:
    """The answer at /ivr/<slug> on the revision the call is on; None if it has no such step."""
    tree, new_cookie = tree_for_call(cookie, call_sid)
    if (entry := tree.entries.get(slug)) is not None:
        return StepAnswer(entry.answer_for(caller), new_cookie)
    if (choice := tree.choices.get(slug)) is not None:
        return StepAnswer(choice.answer_for(digits), None)
    return None


def earlier_tree(number: int) -> CompiledTree | None:
    """A revision that is or was live, compiled once per process; None for any other number.

    The live one too: another process may have heard of a publish before this one.
    """
    if (tree := _earlier.get(number)) is not None:
        return tree
    if _missed_lately(number):
        return None
    with _compiling:
        if (tree := _earlier.get(number)) is not None:
            return tree
        revision = (
            Revision.objects.filter(number=number).exclude(status=Revision.Status.DRAFT).first()
        )
        if revision is None:
            _missing[number] = time.time()
            _missing.move_to_end(number)
            while len(_missing) > MISSES_KEPT:
                _missing.popitem(last=False)
            return None
        tree = compile_revision(revision)
        _keep(tree)
        return tree


def _missed_lately(number: int) -> bool:
    """Looked for within the check interval, and not found: a revision published since
    is heard as late as any edit."""
    looked_at = _missing.get(number)
    return looked_at is not None and 0 <= time.time() - looked_at < settings.IVR_TREE_CHECK_SECONDS


def _keep(tree: CompiledTree) -> None:
    """Under the lock: the oldest kept goes first."""
    _earlier[tree.revision] = tree
    while len(_earlier) > EARLIER_REVISIONS_KEPT:
        _earlier.popitem(last=False)


def published_tree() -> CompiledTree:
    """The tree callers hear, as compiled TwiML: the one place that knows which tree that is."""
    return _published.get()


def tree_stamp() -> int | None:
    return _published.stamp()


def _compile_published(_stamp: int | None) -> CompiledTree:
    with _compiling:
        tree = compile_tree()
        # Earlier revisions are compiled again when next asked for, from the database as it
        # is now: one restored from a backup, or rolled back, may have given their numbers to
        # other trees.
        _earlier.clear()
        _missing.clear()
    return tree


def compile_tree() -> CompiledTree:
    """The live revision's answers."""
    menus = Menu.objects.filter(revision__status=Revision.Status.LIVE)
    return compile_menus(menus.select_related("revision"))


def compile_revision(revision: Revision) -> CompiledTree:
    """Any revision's answers, the draft's too: what the admin's preview shows."""
    return compile_menus(revision.menus.all(), revision=revision.number)


def compile_menus(menus, *, revision=None) -> CompiledTree:
    """Every answer of every menu, written out once with the services that say them."""
    options = Prefetch("options", queryset=Option.objects.select_related("target_menu"))
    menus = list(menus.select_related("main_menu").prefetch_related(options))
    if revision is None and menus:
        revision = menus[0].revision.number
    entry_slugs = {menu.entry_slug for menu in menus if menu.entry_slug}
    entries, choices = {}, {}
    for menu in menus:
        if menu.entry_slug:
            entries[menu.entry_slug] = Entry(
                played=twiml_document(services.play(menu)),
                language=services.menu_language(menu) or settings.LANGUAGE_CODE,
                translations={
                    language: twiml_document(
                        services.redirect_to(reverse("phone_tree", args=[slug]))
                    )
                    for language, _name in settings.LANGUAGES
                    if (slug := services.translated_slug(menu, language)) in entry_slugs
                },
            )
        choices[menu.choice_slug] = Choice(
            answers={
                option.key: twiml_document(services.answer(menu, option.key))
                for option in menu.options.all()
            },
            otherwise=twiml_document(services.answer(menu, None)),
        )
    return CompiledTree(entries=entries, choices=choices, revision=revision)


_published = StampedCopy(TreeVersion, "IVR_TREE_CHECK_SECONDS", _compile_published)
