from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from airtng.admin_parts import History, NumberSearch
from airtng.messaging.models import OptOut
from reservations.models import Reservation

from . import services
from .forms import AdminLoginForm
from .models import PhoneBookVersion, PhonePin, PhoneVerification, User

admin.site.login_form = AdminLoginForm

# A user page lists this many of the user's latest reservations as host and as guest.
RESERVATIONS_SHOWN = 20


class OptedOutFilter(admin.SimpleListFilter):
    title = _("opted out of SMS")
    parameter_name = "opted_out"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(opted_out=self.value() == "yes")
        return queryset


class StaffCreatedUserForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "phone_number")


@admin.register(User)
class UserAdmin(NumberSearch, BaseUserAdmin):
    add_form = StaffCreatedUserForm
    ordering = ("email",)
    list_display = (
        "email",
        "first_name",
        "last_name",
        "phone_number",
        "phone_verified",
        "opted_out",
        "is_staff",
    )
    list_filter = ("phone_verified", OptedOutFilter, "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name", "phone_number")
    number_fields = ("phone_number",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal info"),
            {
                "fields": (
                    "first_name",
                    "last_name",
                    "phone_number",
                    "phone_verified",
                    "phone_verification_state",
                    "sms_opt_out",
                    "sms_conversation",
                    "language",
                    "decide_by",
                )
            },
        ),
        (
            _("Reservations"),
            {"fields": ("reservations_as_host", "reservations_as_guest")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "phone_number",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = (
        "phone_verification_state",
        "sms_opt_out",
        "sms_conversation",
        # The person chooses these in their profile.
        "language",
        "decide_by",
        "reservations_as_host",
        "reservations_as_guest",
    )

    def save_model(self, request, obj, form, change):
        if change and "phone_number" in form.changed_data:
            # A number staff type in is unverified too, until its owner confirms a code.
            services.change_phone_number(user=obj, phone_number=obj.phone_number)
        super().save_model(request, obj, form, change)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # A user with reservations cannot be deleted whatever staff may do: list the
            # reservations that stop it (deactivate the user instead), rather than "no
            # permission to delete reservations", which no one has.
            perms_needed = set()
        return deleted, counts, perms_needed, protected

    def get_queryset(self, request):
        opt_outs = OptOut.objects.filter(phone_number=OuterRef("phone_number"))
        return super().get_queryset(request).annotate(opted_out=Exists(opt_outs))

    @admin.display(description=_("opted out of SMS"), boolean=True, ordering="opted_out")
    def opted_out(self, user):
        return user.opted_out

    @admin.display(description=_("code texted"))
    def phone_verification_state(self, user):
        verification = PhoneVerification.objects.filter(user=user).first()
        if verification is None:
            return _("No code was texted.")
        texted = {
            "number": verification.phone_number,
            "sent": date_format(localtime(verification.sent_at), "DATETIME_FORMAT"),
        }
        if verification.confirmed_at:
            return _("Confirmed the code texted to %(number)s on %(sent)s.") % texted
        if verification.expires_at <= timezone.now():
            return _("The code texted to %(number)s on %(sent)s expired unused.") % texted
        return _("A code was texted to %(number)s on %(sent)s: %(tries)d tries left.") % {
            **texted,
            "tries": verification.tries_left,
        }

    @admin.display(description=_("SMS"))
    def sms_conversation(self, user):
        if not user.phone_number:
            return "–"
        url = reverse("admin:messaging_message_conversation", args=[str(user.phone_number)])
        return format_html('<a href="{}">{}</a>', url, _("Every SMS to and from this number"))

    @admin.display(description=_("as host"))
    def reservations_as_host(self, user):
        return reservation_list(
            Reservation.objects.filter(property__host=user).select_related("property", "guest"),
            user=user,
        )

    @admin.display(description=_("as guest"))
    def reservations_as_guest(self, user):
        return reservation_list(
            Reservation.objects.filter(guest=user).select_related("property__host"), user=user
        )

    @admin.display(description=_("opted out of SMS"))
    def sms_opt_out(self, user):
        opt_out = OptOut.objects.filter(phone_number=str(user.phone_number)).first()
        if opt_out is None:
            return _("No")
        return _("%(reason)s, %(since)s: Airtng texts this number only after it replies START.") % {
            "reason": opt_out.get_reason_display(),
            "since": date_format(localtime(opt_out.created_at), "DATETIME_FORMAT"),
        }


def reservation_list(reservations, *, user):
    """The user's latest reservations, each linked, and a link to all of them."""
    total = reservations.count()
    if not total:
        return _("None")
    latest = reservations.order_by("-created_at", "-id")[:RESERVATIONS_SHOWN]
    return render_to_string(
        "admin/accounts/user_reservations.html",
        {
            "reservations": latest,
            "total": total,
            "all_url": reverse("admin:reservations_reservation_changelist") + f"?q={user.email}",
        },
    )


@admin.register(PhoneVerification)
class PhoneVerificationAdmin(admin.ModelAdmin):
    list_display = ("user", "phone_number", "sent_at", "expires_at", "attempts", "confirmed_at")
    search_fields = ("user__email", "phone_number")
    list_select_related = ("user",)
    readonly_fields = [field.name for field in PhoneVerification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(PhonePin)
class PhonePinAdmin(admin.ModelAdmin):
    list_display = ("user", "wrong_tries", "set_at")
    search_fields = ("user__email",)
    list_select_related = ("user",)
    fields = ("user", "wrong_tries", "set_at")
    readonly_fields = ("user", "set_at")

    def has_add_permission(self, request):
        return False


@admin.register(PhoneBookVersion)
class PhoneBookVersionAdmin(History, admin.ModelAdmin):
    """The stamp every process compares its phone book with: written by triggers only."""

    list_display = ("stamp",)
    readonly_fields = ("stamp",)
