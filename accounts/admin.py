from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils.translation import gettext_lazy as _

from .forms import AdminLoginForm
from .models import PhonePin, PhoneVerification, User

admin.site.login_form = AdminLoginForm


class StaffCreatedUserForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "phone_number")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = StaffCreatedUserForm
    ordering = ("email",)
    list_display = (
        "email",
        "first_name",
        "last_name",
        "phone_number",
        "phone_verified",
        "is_staff",
    )
    list_filter = ("phone_verified", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name", "phone_number")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "phone_number", "phone_verified")},
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
