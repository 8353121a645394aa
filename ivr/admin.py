from django.contrib import admin

from .models import CallStep, Menu, Option


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


@admin.register(CallStep)
class CallStepAdmin(admin.ModelAdmin):
    list_display = ("call_sid", "step", "created_at")
    search_fields = ("call_sid",)
    readonly_fields = ("call_sid", "step", "twiml", "created_at")

    def has_add_permission(self, request):
        return False
