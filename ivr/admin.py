from urllib.parse import urlencode
from xml.dom import minidom
from xml.parsers.expat import ExpatError

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from airtng.admin_parts import History, NumberSearch, PersonAndRequestLinks

from . import revisions
from .models import (
    MAX_LOOP,
    MIN_LOOP,
    Call,
    CallDecision,
    CallStep,
    Menu,
    Option,
    Revision,
    TreeVersion,
)
from .tree import compile_revision

PUBLISH_PERMISSION = "ivr.publish_revision"


def editable(obj) -> bool:
    """Only the draft is edited: a revision that was ever live is heard as it was."""
    revision = obj if isinstance(obj, Revision) else getattr(obj, "revision", None)
    return revision is None or revision.is_draft


class OptionInline(admin.TabularInline):
    model = Option
    fk_name = "menu"
    extra = 1
    fields = ("key", "action", "text", "target_menu", "number")

    class Media:
        js = ["ivr/option_fields.js"]
        css = {"all": ["ivr/tree_admin.css"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 30})
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "target_menu":
            # A row's menu is one of this revision's, edited on its own page: no pop-ups.
            field.widget.can_add_related = field.widget.can_change_related = False
            field.widget.can_delete_related = field.widget.can_view_related = False
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "target_menu":
            kwargs["queryset"] = Menu.objects.filter(revision__status=Revision.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return editable(obj) and super().has_delete_permission(request, obj)


class MenuForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.revision_id is None:
            # A new menu belongs to the draft: the only revision staff edit.
            self.instance.revision = revisions.draft_revision()


@admin.register(Menu)
class MenuAdmin(admin.ModelAdmin):
    form = MenuForm
    list_display = ("name", "revision", "entry_slug", "choice_slug", "voice", "language", "loop")
    list_filter = ("revision__status", "revision")
    list_select_related = ("revision",)
    search_fields = ("name", "prompt")
    readonly_fields = ("revision",)
    inlines = [OptionInline]
    change_form_template = "admin/ivr/menu/change_form.html"
    fieldsets = (
        (None, {"fields": (("name", "revision"), ("entry_slug", "choice_slug", "main_menu"))}),
        (None, {"fields": ("prompt", ("voice", "language", "loop", "finish_on_key"))}),
        (None, {"fields": (("reply_voice", "reply_language"),)}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "loop":
            # The form says what the database constraint would only name.
            kwargs.update(min_value=MIN_LOOP, max_value=MAX_LOOP)
        if db_field.name == "prompt":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "main_menu":
            kwargs["queryset"] = Menu.objects.filter(
                revision__status=Revision.Status.DRAFT, entry_slug__isnull=False
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and revisions.draft_revision() is not None

    def has_change_permission(self, request, obj=None):
        return editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return editable(obj) and super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        menu = self.get_object(request, object_id)
        if menu is not None:
            extra_context = {**(extra_context or {}), **preview_context(menu.revision, [menu])}
        return super().change_view(request, object_id, form_url, extra_context)


def preview_context(revision: Revision, menus) -> dict:
    """What each menu of `revision` answers, compiled as the live tree is (ivr/tree.py)."""
    tree = compile_revision(revision)
    previews = []
    for menu in menus:
        choice = tree.choices[menu.choice_slug]
        entry = tree.entries.get(menu.entry_slug) if menu.entry_slug else None
        previews.append(
            {
                "menu": menu,
                "played": entry.played.decode() if entry else None,
                "keys": [(key, twiml.decode()) for key, twiml in sorted(choice.answers.items())],
                "otherwise": choice.otherwise.decode(),
                "simulator_url": (
                    simulator_link(reverse("phone_tree", args=[menu.entry_slug]))
                    if menu.entry_slug
                    else None
                ),
            }
        )
    return {"previews": previews, "previewed_revision": revision}


def simulator_link(path: str) -> str:
    """The phone simulator, ready to call `path`."""
    return f"{reverse('simulator')}?{urlencode({'dial': path}, safe='/')}"


@admin.register(Revision)
class RevisionAdmin(History, admin.ModelAdmin):
    """Revisions are read only here: the draft is edited through its menus, and made live by
    Publish; an earlier one is made live again by Revert."""

    list_display = ("__str__", "status", "live_since", "published_by", "based_on", "created_at")
    list_filter = ("status",)
    readonly_fields = ("number", "status", "based_on", "created_at", "live_since", "published_by")
    fields = (("number", "status", "based_on"), ("created_at", "live_since", "published_by"))
    change_form_template = "admin/ivr/revision/change_form.html"
    change_list_template = "admin/ivr/revision/change_list.html"

    class Media:
        css = {"all": ["ivr/tree_admin.css"]}

    def get_urls(self):
        return [
            path(
                "start-draft/",
                self.admin_site.admin_view(self.start_draft_view),
                name="ivr_revision_start_draft",
            ),
            path(
                "<int:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="ivr_revision_publish",
            ),
            path(
                "<int:object_id>/revert/",
                self.admin_site.admin_view(self.revert_view),
                name="ivr_revision_revert",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        revision = self.get_object(request, object_id)
        if revision is not None:
            menus = list(revision.menus.order_by("-entry_slug", "name"))
            extra_context = {
                **(extra_context or {}),
                **preview_context(revision, menus),
                "can_publish": request.user.has_perm(PUBLISH_PERMISSION),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "draft": revisions.draft_revision(),
            "can_start_draft": request.user.has_perm("ivr.add_menu"),
        }
        return super().changelist_view(request, extra_context)

    def start_draft_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("ivr.add_menu"):
            raise PermissionDenied
        draft = revisions.start_draft()
        return redirect(reverse("admin:ivr_revision_change", args=[draft.pk]))

    def publish_view(self, request, object_id):
        return self._make_live(request, object_id, revisions.publish, _("%(revision)s is live."))

    def revert_view(self, request, object_id):
        return self._make_live(
            request, object_id, revisions.revert, _("%(revision)s is live again.")
        )

    def _make_live(self, request, object_id, make_live, done):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        revision = get_object_or_404(Revision, pk=object_id)
        problems = make_live(revision=revision, by=request.user)
        if problems:
            messages.error(
                request,
                ngettext(
                    "%(revision)s was not made live: %(count)d problem to fix first.",
                    "%(revision)s was not made live: %(count)d problems to fix first.",
                    len(problems),
                )
                % {"revision": revision, "count": len(problems)},
            )
            for problem in problems:
                messages.error(request, problem)
        else:
            revision.refresh_from_db()
            messages.success(request, done % {"revision": revision})
        return redirect(reverse("admin:ivr_revision_change", args=[revision.pk]))


@admin.register(CallDecision)
class CallDecisionAdmin(admin.ModelAdmin):
    list_display = ("call_sid", "step", "created_at")
    search_fields = ("call_sid",)
    readonly_fields = ("call_sid", "step", "twiml", "created_at")

    def has_add_permission(self, request):
        return False


class CallStepInline(admin.TabularInline):
    """A call's steps in the order they were answered: history, so nobody edits them."""

    model = CallStep
    fields = ("answered_at", "url", "digits", "readable_twiml")
    readonly_fields = fields
    extra = 0
    can_delete = False

    # The steps are part of the call: whoever may view the call may view them.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("ivr.view_call")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("TwiML answered"))
    def readable_twiml(self, step):
        return format_html("<pre>{}</pre>", indented(step.twiml))


def indented(twiml: str) -> str:
    """TwiML one element a line, as staff read it; as it is if it is not XML."""
    try:
        document = minidom.parseString(twiml)
    except ExpatError:
        return twiml
    lines = document.documentElement.toprettyxml(indent="  ").splitlines()
    return "\n".join(line for line in lines if line.strip())


@admin.register(Call)
class CallAdmin(NumberSearch, PersonAndRequestLinks, History, admin.ModelAdmin):
    """The call log: every call Airtng answered or placed, read only (it is history)."""

    list_display = (
        "created_at",
        "direction",
        "from_number",
        "to",
        "status",
        "duration",
        "attempts",
        "user_link",
        "reservation_link",
    )
    list_filter = ("status", "direction", "created_at")
    date_hierarchy = "created_at"
    search_fields = ("to", "from_number", "sid")
    number_fields = ("to", "from_number")
    fields = readonly_fields = (
        "sid",
        "direction",
        "from_number",
        "to",
        "status",
        "started_at",
        "duration",
        "user_link",
        "reservation_link",
        "attempts",
        "next_attempt_at",
        "error_message",
        "created_at",
        "updated_at",
    )
    list_select_related = ("user",)
    inlines = [CallStepInline]

    class Media:
        css = {"all": ["ivr/tree_admin.css"]}


@admin.register(TreeVersion)
class TreeVersionAdmin(History, admin.ModelAdmin):
    """The stamp every process compares its compiled tree with: written by triggers only."""

    list_display = ("stamp",)
    readonly_fields = ("stamp",)
