from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from airtng.messaging.countries import country_of

from .images import MAX_PHOTO_SIZE, BadPhoto, prepare_photo
from .models import CURRENCY_OF_COUNTRY, Currency, Property
from .services import MAX_PHOTOS_PER_LISTING


class PhotoFilesInput(forms.FileInput):
    allow_multiple_selected = True


class PhotoFilesField(forms.FileField):
    """Several photos in one field, each checked and prepared (properties.images): its value is
    the list of PreparedPhoto, and each bad file is an error naming it."""

    widget = PhotoFilesInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Photos"))
        kwargs.setdefault(
            "help_text",
            _(
                "JPEG, PNG, WebP or GIF, at most %(size)s each and %(count)d in all; choose "
                "several at once. The first is the cover."
            )
            % {"size": filesizeformat(MAX_PHOTO_SIZE), "count": MAX_PHOTOS_PER_LISTING},
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [file for file in (data if isinstance(data, list | tuple) else [data]) if file]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        prepared, errors = [], []
        for file in files:
            try:
                prepared.append(prepare_photo(super().clean(file, initial)))
            except forms.ValidationError as invalid:
                errors.extend(invalid.error_list)
            except BadPhoto as bad:
                errors.append(forms.ValidationError(bad.message, code="bad_photo"))
        if errors:
            raise forms.ValidationError(errors)
        return prepared


class PropertyForm(forms.ModelForm):
    # At listing time only: afterwards the edit page has its own photo form.
    photos = PhotoFilesField(required=False)

    class Meta:
        model = Property
        fields = (
            "title",
            "description",
            "location",
            "nightly_price",
            "currency",
            "max_guests",
            "image_url",
        )
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"image_url": _("Or the address of a photo on the web.")}

    def __init__(self, *args, host=None, **kwargs):
        super().__init__(*args, **kwargs)
        if host is not None and not self.instance.pk:
            self.fields["currency"].initial = likely_currency(host)
        if self.instance.pk:
            del self.fields["photos"]
        else:
            # Photos first, then the web address that may stand in for them.
            self.order_fields([*self.Meta.fields[:-1], "photos", "image_url"])

    def clean(self):
        cleaned = super().clean()
        has_photo = cleaned.get("photos") or (self.instance.pk and self.instance.photos.exists())
        if not has_photo and not cleaned.get("image_url") and not self.errors:
            raise forms.ValidationError(_("Add a photo: upload one or give its web address."))
        return cleaned


def likely_currency(host) -> str:
    """The currency of the host's number's country, else US dollars."""
    return CURRENCY_OF_COUNTRY.get(country_of(host.phone_number), Currency.USD)


class PhotoUploadForm(forms.Form):
    photos = PhotoFilesField(label=_("Add photos"))
