from django.contrib import admin

from .models import Menu, Option


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
