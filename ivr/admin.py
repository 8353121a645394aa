from xml.dom import minidom
from xml.parsers.expat import ExpatError

from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from airtng.messaging.countries import valid_number

from .models import MAX_LOOP, MIN_LOOP, Call, CallDecision, CallStep, Menu, Option, TreeVersion


class OptionInline(admin.TabularInline):
    model = Option
    fk_name = "menu"
    extra = 1
    fields = ("key", "action", "text", "target_menu", "number")


@admin.register(Menu)
class MenuAdmin(admin.ModelAdmin):
    list_display = ("name", "entry_slug", "choice_slug", "voice", "language", "loop")
    search_fields = ("name", "prompt")
    inlines = [OptionInline]
    fieldsets = (
        (None, {"fields": ("name", "entry_slug", "choice_slug", "main_menu")}),
        (None, {"fields": ("prompt", "voice", "language", "loop")}),
        (None, {"fields": ("reply_voice", "reply_language")}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "loop":
            # The form says what the database constraint would only name.
            kwargs.update(min_value=MIN_LOOP, max_value=MAX_LOOP)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


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
class CallAdmin(admin.ModelAdmin):
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

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        # "+1 (202) 555-0101" is one number, not four words to find.
        number = valid_number(search_term.strip()) if search_term.strip() else None
        if number is not None:
            found |= queryset.filter(Q(to=number.e164) | Q(from_number=number.e164))
        return found, duplicates

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("user"), ordering="user")
    def user_link(self, call):
        if call.user_id is None:
            return "–"
        url = reverse("admin:accounts_user_change", args=[call.user_id])
        return format_html('<a href="{}">{}</a>', url, call.user)

    @admin.display(description=_("reservation"), ordering="reservation")
    def reservation_link(self, call):
        if call.reservation_id is None:
            return "–"
        url = reverse("admin:reservations_reservation_change", args=[call.reservation_id])
        return format_html('<a href="{}">#{}</a>', url, call.reservation_id)


@admin.register(TreeVersion)
class TreeVersionAdmin(admin.ModelAdmin):
    """The stamp every process compares its compiled tree with: written by triggers only."""

    list_display = ("stamp",)
    readonly_fields = ("stamp",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
