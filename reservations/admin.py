from django import forms
from django.contrib import admin, messages
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from airtng.admin_parts import History

from . import services
from .conversations.admin import warn_if_the_pool_is_short
from .forms import StaffStayRequestForm
from .models import OutstandingRequest, Reservation


class ReservationAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        reservation = self.instance
        check_in, check_out = cleaned.get("check_in"), cleaned.get("check_out")
        if (
            reservation.status == Reservation.Status.CONFIRMED
            and check_in
            and check_out
            and services.confirmed_stays_overlapping(
                property=reservation.property, check_in=check_in, check_out=check_out
            )
            .exclude(pk=reservation.pk)
            .exists()
        ):
            raise forms.ValidationError(services.OverlapsConfirmedStay.message)
        return cleaned


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    form = ReservationAdminForm
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
    # A state changes only through the actions below, which call the services: an edited
    # status would bypass the texts and leave the host's offer behind.
    readonly_fields = (
        "status",
        "host",
        "decided_via",
        "decided_at",
        "created_at",
        "reminded_at",
        "timeline",
    )
    actions = ("accept_selected", "reject_selected", "cancel_selected")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        # The host's offer belongs to the request's property and guest.
        return (*self.readonly_fields, "guest", "property")

    def has_delete_permission(self, request, obj=None):
        return False  # guests' stays are history; a request ends, it is not deleted

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            if "reservation_no_overlap" not in str(error):
                raise
            # Another confirmed stay took those nights after the form's check.
            self.message_user(request, services.OverlapsConfirmedStay.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

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

    @admin.action(description=_("Accept selected pending requests"), permissions=["change"])
    def accept_selected(self, request, queryset):
        self._decide(request, queryset, accepted=True)

    @admin.action(description=_("Reject selected pending requests"), permissions=["change"])
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, accepted=False)

    @admin.action(description=_("Cancel selected stays for their guests"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        cancelled = 0
        for reservation in queryset.select_related("guest"):
            try:
                services.cancel_reservation(reservation=reservation, guest=reservation.guest)
                cancelled += 1
            except services.ReservationError as refused:
                self.message_user(request, f"{reservation}: {refused.message}", messages.WARNING)
        if cancelled:
            self.message_user(
                request, _("%(count)d reservation(s) cancelled.") % {"count": cancelled}
            )

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

    def changelist_view(self, request, extra_context=None):
        warn_if_the_pool_is_short(request)
        return super().changelist_view(request, extra_context)


@admin.register(OutstandingRequest)
class OutstandingRequestAdmin(History, admin.ModelAdmin):
    """Only the services offer and withdraw: a deleted offer would leave the host unasked."""

    list_display = ("host", "reservation", "offered_at")
    search_fields = ("host__email", "host__first_name")
    list_select_related = ("host", "reservation__property", "reservation__guest")
    readonly_fields = ("host", "reservation", "message", "offered_at")
