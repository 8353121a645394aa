from django.contrib import admin

from .models import RateLimit


@admin.register(RateLimit)
class RateLimitAdmin(admin.ModelAdmin):
    """Staff may delete a counter to lift a limit early."""

    list_display = ("key", "hits", "window_started_at")
    search_fields = ("key",)
    readonly_fields = ("key", "hits", "window_started_at")

    def has_add_permission(self, request):
        return False
