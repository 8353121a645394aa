from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import MAX_MESSAGE_LENGTH, Reservation
from .services import ReservationError, check_stay


class DateInput(forms.DateInput):
    input_type = "date"


class ShowsRefusals:
    """The service decides what is refused; the form shows its reason beside the field."""

    def add_refusal(self, refused: ReservationError) -> None:
        self.add_error(refused.field if refused.field in self.fields else None, refused.message)


class StayRequestForm(ShowsRefusals, forms.Form):
    """What a guest asks for; request_stay says whether it can be had."""

    check_in = forms.DateField(label=_("Check-in"), widget=DateInput())
    check_out = forms.DateField(label=_("Check-out"), widget=DateInput())
    guests = forms.IntegerField(label=_("Guests"), min_value=1)
    message = forms.CharField(
        label=_("Message to the host"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, listing=None, **kwargs):
        super().__init__(*args, **kwargs)
        if listing is not None:
            self.show_listing(listing)
        self.fields["guests"].initial = 1
        tomorrow = timezone.localdate() + timedelta(days=1)
        self.fields["check_in"].widget.attrs["min"] = tomorrow.isoformat()
        self.fields["check_out"].widget.attrs["min"] = tomorrow.isoformat()

    def show_listing(self, listing) -> None:
        """Let the browser hint at the listing's own limits."""
        self.fields["guests"].widget.attrs["max"] = listing.max_guests


class StaffStayRequestForm(ShowsRefusals, forms.ModelForm):
    """A request staff add in the admin, for a guest, under the rules of every request."""

    class Meta:
        model = Reservation
        fields = ("guest", "property", "check_in", "check_out", "guests", "message")

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                check_stay(
                    guest=cleaned["guest"],
                    property=cleaned["property"],
                    check_in=cleaned["check_in"],
                    check_out=cleaned["check_out"],
                    guests=cleaned["guests"],
                    message=cleaned["message"],
                )
            except ReservationError as refused:
                self.add_refusal(refused)
        return cleaned
