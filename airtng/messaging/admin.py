from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Message, OptOut, WorkerHeartbeat


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "direction",
        "to",
        "from_number",
        "short_body",
        "status",
        "error_code",
        "attempts",
        "reservation_link",
    )
    list_filter = ("status", "direction", "created_at")
    search_fields = ("to", "from_number", "sid", "body")
    list_select_related = ("reservation",)
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Message._meta.fields] + ["reservation_link"]
    actions = ("retry_selected",)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("body"))
    def short_body(self, message):
        return message.body if len(message.body) <= 60 else message.body[:59] + "…"

    @admin.display(description=_("reservation"), ordering="reservation")
    def reservation_link(self, message):
        if message.reservation_id is None:
            return "–"
        url = reverse("admin:reservations_reservation_change", args=[message.reservation_id])
        return format_html('<a href="{}">#{}</a>', url, message.reservation_id)

    @admin.action(description=_("Send the selected failed or unknown messages again"))
    def retry_selected(self, request, queryset):
        retried = sum(services.retry_failed(message) for message in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                retried,
            )
            % {"count": retried},
            messages.SUCCESS if retried else messages.WARNING,
        )


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("phone_number", "reason", "created_at", "owner")
    list_filter = ("reason",)
    search_fields = ("phone_number",)
    readonly_fields = ("phone_number", "reason", "created_at", "owner")

    def get_queryset(self, request):
        owners = get_user_model().objects.filter(phone_number=OuterRef("phone_number"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                owner_pk=Subquery(owners.values("pk")[:1]),
                owner_email=Subquery(owners.values("email")[:1]),
            )
        )

    # Only START from the number lifts an opt-out: Twilio would refuse our texts anyway.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("user with this number"))
    def owner(self, opt_out):
        if opt_out.owner_pk is None:
            return "–"
        url = reverse("admin:accounts_user_change", args=[opt_out.owner_pk])
        return format_html('<a href="{}">{}</a>', url, opt_out.owner_email)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("worker_id", "seen_at")
    readonly_fields = ("worker_id", "seen_at")

    def has_add_permission(self, request):
        return False
