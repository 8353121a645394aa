from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Photo, Property
from .templatetags.prices import price


class PhotoInline(admin.TabularInline):
    """The host's photos, as the host ordered them; only the host's pages add or change them,
    since each upload is checked and stripped of its metadata there."""

    model = Photo
    fields = ("position", "image", "thumbnail")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin):
    inlines = (PhotoInline,)
    list_display = (
        "title",
        "host",
        "location",
        "price_a_night",
        "max_guests",
        "created_at",
        "withdrawn_at",
    )
    list_filter = ("currency", "created_at", "withdrawn_at")
    readonly_fields = ("withdrawn_at",)
    # Deleting a listing with reservations is refused (they PROTECT it): withdraw it.
    actions = ("withdraw_selected",)
    search_fields = ("title", "location", "host__email", "host__first_name")
    list_select_related = ("host",)
    autocomplete_fields = ("host",)
    date_hierarchy = "created_at"

    @admin.display(description=_("nightly price"), ordering="nightly_price")
    def price_a_night(self, listing):
        return price(listing.nightly_price, listing.currency)

    @admin.action(description=_("Withdraw selected listings (declines their pending requests)"))
    def withdraw_selected(self, request, queryset):
        declined = 0
        for listing in queryset:
            declined += services.withdraw_listing(listing=listing)
        self.message_user(
            request,
            _("%(count)d listing(s) withdrawn, %(declined)d pending request(s) declined.")
            % {"count": queryset.count(), "declined": declined},
            messages.SUCCESS,
        )
