from django.contrib import admin

from .models import Property


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin):
    list_display = ("title", "host", "location", "nightly_price", "max_guests", "created_at")
    list_filter = ("created_at",)
    search_fields = ("title", "location", "host__email", "host__first_name")
    list_select_related = ("host",)
    autocomplete_fields = ("host",)
    date_hierarchy = "created_at"
