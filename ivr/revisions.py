"""Revisions of the phone tree: a draft staff edit, publishing it, and going back to an earlier one.

Only the draft is ever edited. Publishing makes the draft the live revision; reverting makes an
earlier revision live again, as it was (a revision that was ever live is never edited, so it can
be heard again as it was, and calls that started on it keep hearing it). Both lock the live
revision's row first, so two of them at once happen one after the other; the database allows
one live revision and one draft.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Menu, Option, Revision

Status = Revision.Status


def live_revision() -> Revision | None:
    return Revision.objects.filter(status=Status.LIVE).first()


def draft_revision() -> Revision | None:
    return Revision.objects.filter(status=Status.DRAFT).first()


def start_draft() -> Revision:
    """The draft, or a new one copied from the live revision when there is none."""
    if (draft := draft_revision()) is not None:
        return draft
    live = live_revision()
    try:
        with transaction.atomic():
            number = (Revision.objects.aggregate(last=Max("number"))["last"] or 0) + 1
            draft = Revision.objects.create(number=number, status=Status.DRAFT, based_on=live)
            if live is not None:
                copy_menus(source=live, into=draft)
    except IntegrityError:
        # Someone started one at the same moment (the database allows one draft): edit theirs.
        return Revision.objects.get(status=Status.DRAFT)
    return draft


def copy_menus(*, source: Revision, into: Revision) -> None:
    """Every menu and option of `source` into `into`, pointing at each other's copies."""
    menus = list(source.menus.order_by("pk"))
    copies = Menu.objects.bulk_create(
        Menu(
            revision=into,
            **{
                field.name: getattr(menu, field.name)
                for field in Menu._meta.concrete_fields
                if field.name not in ("id", "revision", "main_menu")
            },
        )
        for menu in menus
    )
    copy_of = {menu.pk: copy for menu, copy in zip(menus, copies, strict=True)}
    for menu, copy in zip(menus, copies, strict=True):
        if menu.main_menu_id is not None:
            copy.main_menu = copy_of[menu.main_menu_id]
    Menu.objects.bulk_update(copies, ["main_menu"])
    Option.objects.bulk_create(
        Option(
            menu=copy_of[option.menu_id],
            key=option.key,
            action=option.action,
            text=option.text,
            target_menu=copy_of.get(option.target_menu_id),
            number=option.number,
        )
        for option in Option.objects.filter(menu__revision=source).order_by("pk")
    )


def problems_of(revision: Revision) -> list[str]:
    """Everything that would stop the revision from being heard as written, each naming where."""
    options = Prefetch("options", queryset=Option.objects.select_related("target_menu"))
    menus = list(revision.menus.select_related("main_menu").prefetch_related(options))
    problems = []
    if not any(menu.entry_slug for menu in menus):
        problems.append(_("No menu is played at an address: a call would have nowhere to start."))
    for menu in menus:
        problems += _field_problems(menu, _("Menu “%(menu)s”") % {"menu": menu})
        for option in menu.options.all():
            where = _("Menu “%(menu)s”, key %(key)s") % {"menu": menu, "key": option.key}
            problems += _field_problems(option, where)
    reached = _reachable(menus)
    problems += [
        _("Menu “%(menu)s” cannot be reached: no option of a menu a call reaches goes to it.")
        % {"menu": menu}
        for menu in menus
        if menu.pk not in reached
    ]
    return problems


def _field_problems(instance, where: str) -> list[str]:
    """The model's own rules (the ones the admin's form shows on each field), as sentences."""
    try:
        instance.full_clean(exclude=["revision", "menu"])
    except ValidationError as error:
        return [
            f"{where}: {message}"
            if field == NON_FIELD_ERRORS
            else f"{where}, {instance._meta.get_field(field).verbose_name}: {message}"
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return []


def _reachable(menus: list[Menu]) -> set[int]:
    """The menus a call can get to from the menus calls start at, following options."""
    by_pk = {menu.pk: menu for menu in menus}
    reached, waiting = set(), [menu.pk for menu in menus if menu.entry_slug]
    while waiting:
        pk = waiting.pop()
        if pk in reached or pk not in by_pk:
            continue
        reached.add(pk)
        waiting += [
            option.target_menu_id
            for option in by_pk[pk].options.all()
            if option.action == Option.Action.MENU and option.target_menu_id
        ]
    return reached


def publish(*, revision: Revision, by) -> list[str]:
    """Make the draft live if it has no problem; returns its problems (none: it is live)."""
    with transaction.atomic():
        _lock_revisions()
        draft = Revision.objects.select_for_update().get(pk=revision.pk)
        if draft.status != Status.DRAFT:
            not_a_draft = _("Only a draft can be published; %(revision)s is not one.")
            return [not_a_draft % {"revision": draft}]
        if problems := problems_of(draft):
            return problems
        _make_live(draft, by=by)
    return []


def revert(*, revision: Revision, by) -> list[str]:
    """Make an earlier revision live again, as it was; returns why not (nothing: it is live)."""
    with transaction.atomic():
        _lock_revisions()
        earlier = Revision.objects.select_for_update().get(pk=revision.pk)
        if earlier.status != Status.PAST:
            never_live = _(
                "Only a revision that was live before can be made live again; "
                "%(revision)s is not one."
            )
            return [never_live % {"revision": earlier}]
        _make_live(earlier, by=by)
    return []


def _lock_revisions() -> None:
    """Every revision, in one order, before anything else: publishing and reverting at once
    take turns. Locking only the live one did not: a waiting lock finds it live no more once
    its holder commits, locks nothing, and three such transactions could deadlock."""
    list(Revision.objects.select_for_update().order_by("pk").values_list("pk", flat=True))


def _make_live(revision: Revision, *, by) -> None:
    Revision.objects.filter(status=Status.LIVE).update(status=Status.PAST)
    revision.status = Status.LIVE
    revision.live_since = timezone.now()
    revision.published_by = by
    revision.save(update_fields=["status", "live_since", "published_by"])
