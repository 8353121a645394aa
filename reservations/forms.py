from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import MAX_MESSAGE_LENGTH, MAX_NIGHTS, Reservation
from .services import confirmed_stays_overlapping


class DateInput(forms.DateInput):
    input_type = "date"


class StayRequestForm(forms.ModelForm):
    class Meta:
        model = Reservation
        fields = ("check_in", "check_out", "guests", "message")
        widgets = {
            "check_in": DateInput(),
            "check_out": DateInput(),
            "message": forms.Textarea(attrs={"rows": 4, "maxlength": MAX_MESSAGE_LENGTH}),
        }

    def __init__(self, *args, listing, guest, **kwargs):
        super().__init__(*args, **kwargs)
        self.listing = listing
        self.guest = guest
        self.fields["guests"].widget.attrs["max"] = listing.max_guests
        self.fields["guests"].initial = 1
        tomorrow = timezone.localdate() + timedelta(days=1)
        self.fields["check_in"].widget.attrs["min"] = tomorrow.isoformat()
        self.fields["check_out"].widget.attrs["min"] = tomorrow.isoformat()

    def clean_check_in(self):
        check_in = self.cleaned_data["check_in"]
        if check_in <= timezone.localdate():
            raise forms.ValidationError(_("Check-in must be in the future."))
        return check_in

    def clean_guests(self):
        guests = self.cleaned_data["guests"]
        if guests > self.listing.max_guests:
            raise forms.ValidationError(
                ngettext(
                    "This property sleeps at most %(count)d guest.",
                    "This property sleeps at most %(count)d guests.",
                    self.listing.max_guests,
                )
                % {"count": self.listing.max_guests}
            )
        return guests

    def clean(self):
        cleaned = super().clean()
        if self.guest == self.listing.host:
            raise forms.ValidationError(_("You cannot request a stay at your own property."))
        check_in, check_out = cleaned.get("check_in"), cleaned.get("check_out")
        if check_in and check_out:
            if check_out <= check_in:
                self.add_error("check_out", _("Check-out must be after check-in."))
            elif (check_out - check_in).days > MAX_NIGHTS:
                self.add_error(
                    "check_out",
                    _("A stay can be at most %(nights)d nights.") % {"nights": MAX_NIGHTS},
                )
            elif confirmed_stays_overlapping(
                property=self.listing, check_in=check_in, check_out=check_out
            ).exists():
                raise forms.ValidationError(
                    _("The property is already booked for some of those nights.")
                )
        return cleaned
