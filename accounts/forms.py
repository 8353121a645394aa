from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import SplitPhoneNumberField

from .models import User


class PhoneNumberField(SplitPhoneNumberField):
    """Country picker plus national number: `5558180101` in the US is `+15558180101`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile phone number"))
        super().__init__(**kwargs)


class AccountFieldsMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class SignupForm(AccountFieldsMixin, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "phone_number")
        field_classes = {"phone_number": PhoneNumberField}


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True})
    )


class ProfileForm(AccountFieldsMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "phone_number")
        field_classes = {"phone_number": PhoneNumberField}


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
