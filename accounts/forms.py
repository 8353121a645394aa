from functools import cache

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PrefixChoiceField, SplitPhoneNumberField, localized_choices

from airtng.limits.services import client_address
from airtng.messaging.countries import country_names, is_textable

from . import services
from .languages import language_choices, speaking_to
from .models import User


class PhoneNumberField(SplitPhoneNumberField):
    """Country picker plus national number: `5558180101` in the US is `+15558180101`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile phone number"))
        super().__init__(**kwargs)

    def prefix_field(self):
        # The library names the countries once, in the language active when the form class
        # is defined; a callable names them again in each reader's language.
        return PrefixChoiceField(choices=lambda: countries_in(get_language() or "en"))


@cache
def countries_in(language):
    """The country picker's choices, "Japan +81", named in `language` and sorted by name."""
    return sorted(localized_choices(language), key=lambda choice: choice[1])


class AccountFieldsMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["language"].choices = language_choices()
        self.fields["language"].label = _("Your language")
        self.fields["language"].help_text = _(
            "Airtng writes and speaks to you in it: pages, texts, calls and email."
        )
        # A form posted without it (an older page, a script) keeps the language it showed.
        self.fields["language"].required = False

    def clean_language(self):
        return (
            self.cleaned_data.get("language")
            or self.initial.get("language")
            or settings.LANGUAGE_CODE
        )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_phone_number(self):
        number = self.cleaned_data["phone_number"]
        if number != self.initial.get("phone_number") and not is_textable(number):
            raise forms.ValidationError(
                _(
                    "Airtng cannot text numbers from that country yet. Use a mobile number "
                    "from one of these countries: %(countries)s."
                )
                % {"countries": country_names(settings.SMS_COUNTRIES)}
            )
        return number


class SignupForm(AccountFieldsMixin, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "phone_number", "language")
        field_classes = {"phone_number": PhoneNumberField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser's language (or the switcher's), until the person picks another.
        self.initial["language"] = translation.get_language()

    # An address with an account must not be told apart: services.sign_up settles it.
    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass


class ThrottledLoginMixin:
    """Password guessing is slowed per account and per client address (accounts.services)."""

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else ""
        if wait := services.take_login_attempt(email=email, client_address=address):
            raise forms.ValidationError(
                _(
                    "Too many failed log-ins. For your safety, try again in %(wait)s, "
                    "or reset your password."
                )
                % {"wait": services.spoken_wait(wait)},
                code="throttled",
            )
        cleaned = super().clean()
        services.give_back_login_attempt(email=email, client_address=address)
        return cleaned


class EmailAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True})
    )

    def get_invalid_login_error(self):
        # Only the right password learns that the sign-up awaits its link.
        if services.awaits_signup_link(
            email=self.cleaned_data.get("username") or "",
            password=self.cleaned_data.get("password") or "",
        ):
            return forms.ValidationError(
                _(
                    "Your sign-up is not finished: follow the link we emailed you. No email? "
                    "Sign up again to get a new link."
                ),
                code="inactive",
            )
        return super().get_invalid_login_error()


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class PasswordResetForm(DjangoPasswordResetForm):
    """The reset email is in its reader's language, not the requester's browser's."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        with speaking_to(context["user"]):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


class ProfileForm(AccountFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "phone_number", "language", "decide_by")
        field_classes = {"phone_number": PhoneNumberField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form posted without the choice (a script, an older page) keeps the current one.
        self.fields["decide_by"].required = False

    def clean_decide_by(self):
        return self.cleaned_data["decide_by"] or self.instance.decide_by


class VerifyPhoneForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        error_messages={"required": _("Enter the 6-digit code we texted you.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def clean_code(self):
        # People copy "123 456" or "123-456" as often as "123456".
        code = "".join(self.cleaned_data["code"].replace("-", "").split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("The code is 6 digits, like 123456."))
        return code


def save_unless_taken(form, save=None):
    """Save `form` (or call `save`); a concurrent sign-up that took the email or number
    becomes a form error.

    The form's own uniqueness check runs first, but only the database's unique index is
    reliable when two requests race.
    """
    try:
        with transaction.atomic():
            return (save or form.save)()
    except IntegrityError:
        form.add_error(None, _("That email address or phone number was just taken. Try another."))
        return None


class PhonePinForm(forms.Form):
    pin = forms.CharField(
        label=_("Phone PIN (4 digits)"),
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    pin_again = forms.CharField(
        label=_("The same PIN again"),
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_pin(self):
        pin = self.cleaned_data["pin"].strip()
        if not (len(pin) == 4 and pin.isascii() and pin.isdigit()):
            raise forms.ValidationError(_("The PIN is 4 digits, like 2468."))
        return pin

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pin") and cleaned.get("pin_again", "").strip() != cleaned["pin"]:
            self.add_error("pin_again", _("The two PINs differ."))
        return cleaned
