from django.contrib import admin

from .models import MAX_LOOP, MIN_LOOP, Call, CallStep, Menu, Option, TreeVersion


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


@admin.register(CallStep)
class CallStepAdmin(admin.ModelAdmin):
    list_display = ("call_sid", "step", "created_at")
    search_fields = ("call_sid",)
    readonly_fields = ("call_sid", "step", "twiml", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """The call log: read only; calls are placed by Airtng, never from here."""

    list_display = ("created_at", "direction", "to", "status", "duration", "attempts", "user")
    list_filter = ("status", "direction")
    search_fields = ("to", "from_number", "sid")
    readonly_fields = [field.name for field in Call._meta.fields]
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
