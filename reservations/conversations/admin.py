from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Conversation, ConversationMessage, ProxySeat, RelayedCall
from .proxies import finished, proxy_pool


def waiting_for_a_number():
    """Open conversations the pool could not serve: their two people text only on the web."""
    return Conversation.objects.filter(proxy_number="", closed_at__isnull=True).exclude(
        finished(today=timezone.localdate())
    )


def warn_if_the_pool_is_short(request):
    if not proxy_pool():
        return
    waiting = waiting_for_a_number().count()
    if waiting:
        messages.warning(
            request,
            ngettext(
                "%(count)d open conversation has no proxy number: each of the %(pool)d numbers "
                "of TWILIO_PROXY_NUMBERS is in use by another open conversation of its guest "
                "or host. Buy more numbers and add them to TWILIO_PROXY_NUMBERS.",
                "%(count)d open conversations have no proxy number: each of the %(pool)d "
                "numbers of TWILIO_PROXY_NUMBERS is in use by another open conversation of "
                "their guest or host. Buy more numbers and add them to TWILIO_PROXY_NUMBERS.",
                waiting,
            )
            % {"count": waiting, "pool": len(proxy_pool())},
        )


class HasProxyNumber(admin.SimpleListFilter):
    title = _("proxy number")
    parameter_name = "proxy"

    def lookups(self, request, model_admin):
        return [("yes", _("Has one")), ("no", _("Has none"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(proxy_number="")
        if self.value() == "no":
            return queryset.filter(proxy_number="")
        return queryset


class ReadWithTheConversation:
    """What was said and who called are part of the conversation: whoever may view it reads them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("conversations.view_conversation")


class ConversationMessageInline(ReadWithTheConversation, admin.TabularInline):
    model = ConversationMessage
    fields = ("created_at", "author", "via", "body")
    readonly_fields = fields


class RelayedCallInline(ReadWithTheConversation, admin.TabularInline):
    model = RelayedCall
    fields = ("created_at", "caller", "call_sid")
    readonly_fields = fields


class ProxySeatInline(ReadWithTheConversation, admin.TabularInline):
    model = ProxySeat
    fields = ("person", "proxy_number")
    readonly_fields = fields


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("reservation", "proxy_number", "created_at", "closed_at")
    list_filter = (HasProxyNumber, "closed_at")
    search_fields = (
        "proxy_number",
        "reservation__guest__first_name",
        "reservation__guest__email",
        "reservation__property__host__first_name",
        "reservation__property__host__email",
        "reservation__property__title",
    )
    list_select_related = ("reservation__guest", "reservation__property")
    # Numbers are given and freed by the services only: an edit would bypass the seats.
    readonly_fields = (
        "reservation",
        "proxy_number",
        "created_at",
        "closed_at",
        "guest_seen_at",
        "host_seen_at",
    )
    inlines = (ConversationMessageInline, RelayedCallInline, ProxySeatInline)

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        warn_if_the_pool_is_short(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        warn_if_the_pool_is_short(request)
        return super().change_view(request, object_id, form_url, extra_context)
