from django import forms
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import Property

MAX_PHOTO_SIZE = 5 * 1024 * 1024
# A few kilobytes of PNG can decode to gigabytes of pixels (a decompression bomb).
MAX_PHOTO_MEGAPIXELS = 40
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


class PropertyForm(forms.ModelForm):
    class Meta:
        model = Property
        fields = (
            "title",
            "description",
            "location",
            "nightly_price",
            "max_guests",
            "photo",
            "image_url",
        )
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "photo": _("JPEG, PNG, WebP or GIF, at most 5 MB."),
            "image_url": _("Or the address of a photo on the web."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photo"].validators.append(
            FileExtensionValidator(["jpg", "jpeg", "png", "webp", "gif"])
        )

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo or not hasattr(photo, "image"):
            return photo  # unchanged, cleared, or already refused by ImageField
        if photo.size > MAX_PHOTO_SIZE:
            raise forms.ValidationError(
                _("The photo is %(size)s; the most is %(max)s.")
                % {"size": filesizeformat(photo.size), "max": filesizeformat(MAX_PHOTO_SIZE)}
            )
        if photo.image.format not in PHOTO_FORMATS:
            raise forms.ValidationError(_("Upload a JPEG, PNG, WebP or GIF photo."))
        width, height = photo.image.size
        if width * height > MAX_PHOTO_MEGAPIXELS * 1_000_000:
            raise forms.ValidationError(
                _("The photo is %(width)d×%(height)d pixels; the most is %(max)d megapixels.")
                % {"width": width, "height": height, "max": MAX_PHOTO_MEGAPIXELS}
            )
        return photo

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("photo") and not cleaned.get("image_url") and not self.errors:
            raise forms.ValidationError(_("Add a photo: upload one or give its web address."))
        return cleaned
