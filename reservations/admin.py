from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from . import services
from .forms import StaffStayRequestForm
from .models import OutstandingRequest, Reservation


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "property",
        "guest",
        "host",
        "check_in",
        "check_out",
        "guests",
        "status",
        "created_at",
    )
    list_filter = ("status", "check_in", "created_at", "decided_via")
    search_fields = (
        "property__title",
        "guest__email",
        "guest__first_name",
        "property__host__email",
        "property__host__first_name",
    )
    list_select_related = ("property", "property__host", "guest")
    date_hierarchy = "check_in"
    autocomplete_fields = ("guest", "property")
    readonly_fields = ("host", "decided_via", "decided_at", "created_at", "timeline")
    actions = ("accept_selected", "reject_selected")
    add_form = StaffStayRequestForm

    # A request staff add is made by request_stay, under the rules of every request.
    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_form.Meta.fields
        return super().get_fields(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        return services.request_stay(**{name: form.cleaned_data[name] for name in form.fields})

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    @admin.display(description=_("timeline"))
    def timeline(self, reservation):
        return render_to_string(
            "reservations/timeline.html", {"timeline": services.timeline_for(reservation)}
        )

    @admin.display(description=_("host"), ordering="property__host__email")
    def host(self, reservation):
        host = reservation.property.host
        url = reverse("admin:accounts_user_change", args=[host.pk])
        return format_html('<a href="{}">{}</a>', url, host)

    @admin.action(description=_("Accept selected pending requests"))
    def accept_selected(self, request, queryset):
        self._decide(request, queryset, accepted=True)

    @admin.action(description=_("Reject selected pending requests"))
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, accepted=False)

    def _decide(self, request, queryset, *, accepted):
        decided = 0
        for reservation in queryset:
            try:
                services.decide_reservation(
                    reservation=reservation, accepted=accepted, via=Reservation.Channel.ADMIN
                )
                decided += 1
            except services.ReservationError as refused:
                self.message_user(request, f"{reservation}: {refused.message}", messages.WARNING)
        if decided:
            self.message_user(request, _("%(count)d reservation(s) decided.") % {"count": decided})


@admin.register(OutstandingRequest)
class OutstandingRequestAdmin(admin.ModelAdmin):
    list_display = ("host", "reservation", "offered_at")
    search_fields = ("host__email", "host__first_name")
    list_select_related = ("host", "reservation__property", "reservation__guest")
    readonly_fields = ("host", "reservation", "offered_at")

    def has_add_permission(self, request):
        return False
