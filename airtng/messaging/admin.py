from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from airtng.admin_parts import History, NumberSearch, PersonAndRequestLinks

from . import services
from .models import Direction, Message, OptOut, WorkerHeartbeat
from .opt_outs import e164
from .queries import conversation_with, people_with_number
from .twilio_errors import error_meaning

# A conversation page shows this many of a number's latest SMS; the log holds the rest.
CONVERSATION_LENGTH = 500
TWILIO_ERROR_PAGE = "https://www.twilio.com/docs/api/errors/{}"


def conversation_link(number: str):
    url = reverse("admin:messaging_message_conversation", args=[number])
    return format_html('<a href="{}">{}</a>', url, number)


def error_with_meaning(code: int | None):
    """The Twilio error code, linked to Twilio's page about it, and what it means."""
    if code is None:
        return "–"
    meaning = error_meaning(code) or _("See Twilio's page about this code.")
    link = format_html('<a href="{}">{}</a>', TWILIO_ERROR_PAGE.format(code), code)
    return format_html("{}: {}", link, meaning)


def body_as_written(body: str):
    return linebreaksbr(body, autoescape=True)


@admin.register(Message)
class MessageAdmin(NumberSearch, PersonAndRequestLinks, admin.ModelAdmin):
    list_display = (
        "created_at",
        "direction",
        "to_number",
        "from_of_message",
        "full_body",
        "status",
        "error",
        "attempts",
        "user_link",
        "reservation_link",
    )
    list_filter = ("status", "direction", "created_at")
    search_fields = ("to", "from_number", "sid", "body")
    number_fields = ("to", "from_number")
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    # Staff read the body with its secret masked (shown_body), never the raw one.
    fields = readonly_fields = [
        *(
            field.name
            for field in Message._meta.fields
            if field.name
            not in ("id", "body", "redacted_body", "error_code", "user", "reservation")
        ),
        "full_body",
        "error",
        "conversation",
        "user_link",
        "reservation_link",
    ]
    actions = ("retry_selected",)

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        conversation = self.admin_site.admin_view(self.conversation_view)
        return [
            path("conversation/<str:number>/", conversation, name="messaging_message_conversation"),
            *super().get_urls(),
        ]

    @admin.display(description=_("to"), ordering="to")
    def to_number(self, message):
        if message.direction == Direction.OUTBOUND:
            return conversation_link(message.to)
        return message.to

    @admin.display(description=_("from"), ordering="from_number")
    def from_of_message(self, message):
        if message.direction == Direction.INBOUND:
            return conversation_link(message.from_number)
        return message.from_number

    @admin.display(description=_("conversation"))
    def conversation(self, message):
        return conversation_link(message.person_number)

    @admin.display(description=_("body"))
    def full_body(self, message):
        return body_as_written(message.shown_body)

    @admin.display(description=_("error"), ordering="error_code")
    def error(self, message):
        return error_with_meaning(message.error_code)

    @admin.action(
        description=_("Send the selected failed or unknown messages again"), permissions=["change"]
    )
    def retry_selected(self, request, queryset):
        retried = 0
        for message in queryset:
            try:
                retried += services.retry_failed(message)
            except services.NoUseAnyMore as refused:
                self.message_user(
                    request,
                    _(
                        "The SMS to %(number)s was not sent again: the code in it expired at "
                        "%(expired)s. Its owner can ask for a new code."
                    )
                    % {
                        "number": message.to,
                        "expired": date_format(localtime(refused.expired_at), "DATETIME_FORMAT"),
                    },
                    messages.WARNING,
                )
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

    def conversation_view(self, request, number):
        """Every SMS to and from one number, Airtng's TwiML replies included, newest last."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        number = e164(number)
        log = conversation_with(number)
        total = log.count()
        latest = list(log.reverse()[:CONVERSATION_LENGTH])[::-1]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("SMS with %(number)s") % {"number": number},
            "number": number,
            "rows": list(conversation_rows(latest)),
            "shown": len(latest),
            "total": total,
            "people": [
                (reverse("admin:accounts_user_change", args=[person.pk]), person)
                for person in people_with_number(number)
            ],
            "opt_out": OptOut.objects.filter(phone_number=number).first(),
            "log_url": reverse("admin:messaging_message_changelist") + f"?q={number}",
        }
        return TemplateResponse(request, "admin/messaging/conversation.html", context)


def conversation_rows(log):
    """One row per SMS, and one per TwiML reply right after the SMS it answered."""
    for message in log:
        yield {
            "at": message.created_at,
            "direction": message.get_direction_display(),
            "kind": message.direction,
            "from": message.from_number,
            "to": message.to,
            "body": body_as_written(message.shown_body),
            "status": message.get_status_display(),
            "error": error_with_meaning(message.error_code) if message.error_code else "",
            "user": message.user,
            "reservation_id": message.reservation_id,
            "change_url": reverse("admin:messaging_message_change", args=[message.pk]),
        }
        if message.direction == Direction.INBOUND and message.reply:
            # Our reply went back in the webhook's TwiML answer, recorded on the SMS it answers.
            yield {
                "at": message.updated_at,
                "direction": _("Airtng's reply (TwiML)"),
                "kind": "reply",
                "from": message.to,
                "to": message.from_number,
                "body": body_as_written(message.reply),
                "status": "",
                "error": "",
                "user": message.user,
                "reservation_id": message.reservation_id,
                "change_url": "",
            }


@admin.register(OptOut)
class OptOutAdmin(History, admin.ModelAdmin):
    """Only START from the number lifts an opt-out: Twilio would refuse our texts anyway."""

    list_display = ("phone_number", "reason", "created_at", "owner", "conversation")
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

    @admin.display(description=_("conversation"))
    def conversation(self, opt_out):
        return conversation_link(opt_out.phone_number)

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
