"""What the page may ask of the phone: checked here, so every endpoint refuses bad input alike."""

import re
from urllib.parse import urlsplit

import phonenumbers
from django import forms
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from reservations.conversations.proxies import proxy_pool

from .twiml import KEYS

E164 = re.compile(r"\+[1-9][0-9]{1,14}")
SMS_MAX_LENGTH = 1600  # Twilio's limit for one message body
SHOWN_MAX = 24  # how much of a bad "number" the error repeats


def e164_number(value: str) -> str:
    """`value` if it is a phone number written in E.164 (+12025550101), else ValidationError."""
    if E164.fullmatch(value):
        try:
            if phonenumbers.is_possible_number(phonenumbers.parse(value)):
                return value
        except phonenumbers.NumberParseException:
            pass
    shown = value if len(value) <= SHOWN_MAX else value[:SHOWN_MAX] + "…"
    raise forms.ValidationError(
        _("“%(number)s” is not a phone number in E.164 form, like +12025550101."),
        params={"number": shown},
        code="not_e164",
    )


class PhoneForm(forms.Form):
    number = forms.CharField(strip=True)

    def clean_number(self):
        return e164_number(self.cleaned_data["number"])


class DialledForm(PhoneForm):
    """A phone texting or calling one of Airtng's numbers: its own, or a proxy."""

    to = forms.CharField(required=False, strip=True)

    def clean_to(self):
        to = self.cleaned_data["to"] or settings.TWILIO_PHONE_NUMBER
        if to != settings.TWILIO_PHONE_NUMBER and to not in proxy_pool():
            raise forms.ValidationError(_("That is not one of Airtng's numbers."), code="not_ours")
        return to


CALL_WEBHOOKS = {"voice", "phone_tree"}  # the webhooks a call to Airtng starts at
PATH_MAX_LENGTH = 200


def call_path(value: str) -> str:
    """`value` if it is where a call to Airtng starts (/voice, /ivr/<entry>), else
    ValidationError: the simulator calls only Airtng's own webhooks."""
    url = urlsplit(value)
    plain = not (url.scheme or url.netloc or url.query or url.fragment)
    if plain and len(value) <= PATH_MAX_LENGTH and value.startswith("/") and "/." not in value:
        try:
            if resolve(url.path).url_name in CALL_WEBHOOKS:
                return value
        except Resolver404:
            pass
    raise forms.ValidationError(
        _("A call starts at /voice or at a phone tree's /ivr/ address."), code="not_a_call"
    )


class CallForm(DialledForm):
    """A call to Airtng's voice line, to ET Phone Home, or to `path`, a call webhook."""

    LINES = {"voice": "/voice", "ivr": "/ivr/welcome"}

    line = forms.ChoiceField(choices=list(LINES.items()), required=False)
    path = forms.CharField(required=False, strip=True)

    def clean_path(self):
        path = self.cleaned_data["path"]
        return call_path(path) if path else ""

    def clean(self):
        data = super().clean()
        if not data.get("path"):
            if not data.get("line"):
                raise forms.ValidationError(_("Say which line to call."), code="no_line")
            data["path"] = self.LINES[data["line"]]
        return data


class SmsForm(DialledForm):
    body = forms.CharField(max_length=SMS_MAX_LENGTH, strip=False)


class SmsStatusForm(PhoneForm):
    sid = forms.CharField(max_length=64)
    status = forms.ChoiceField(choices=[("delivered", "delivered"), ("failed", "failed")])
    airtng_side = forms.CharField(required=False)


class RefusalForm(PhoneForm):
    status = forms.ChoiceField(choices=[("no-answer", "no-answer"), ("busy", "busy")])


class KeyForm(forms.Form):
    key = forms.ChoiceField(choices=[(key, key) for key in KEYS])


def first_error(form) -> str:
    return next(iter(form.errors.values()))[0]
