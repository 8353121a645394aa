"""Find a stay: the listings free on some dates, for some guests, in some place."""

from datetime import date

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from properties.models import Property
from properties.search_text import search_words
from reservations.forms import DateInput, ShowsRefusals
from reservations.services import ReservationError, check_dates, confirmed_stays_overlapping

MAX_WHERE_LENGTH = 100
# More words than a place has, and each is one more LIKE: the rest are ignored.
MAX_WHERE_WORDS = 8
MAX_SEARCH_GUESTS = 50

ORDERINGS = {
    "newest": ("-created_at", "-id"),
    # By the number alone, whatever its currency: ¥12,000 sorts after $150. Converting would
    # need exchange rates, which Airtng does not keep.
    "price": ("nightly_price", "id"),
    "-price": ("-nightly_price", "-id"),
}


class SearchForm(ShowsRefusals, forms.Form):
    """Where, when and how many, from the home page's query string; every field optional."""

    where = forms.CharField(
        label=_("Where"),
        required=False,
        max_length=MAX_WHERE_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("A place, or a listing's name")}
        ),
    )
    check_in = forms.DateField(label=_("Check-in"), required=False, widget=DateInput())
    check_out = forms.DateField(label=_("Check-out"), required=False, widget=DateInput())
    guests = forms.IntegerField(
        label=_("Guests"), required=False, min_value=1, max_value=MAX_SEARCH_GUESTS
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("newest", _("Newest first")),
            ("price", _("Price, lowest first")),
            ("-price", _("Price, highest first")),
        ],
    )

    def clean(self):
        cleaned = super().clean()
        check_in, check_out = cleaned.get("check_in"), cleaned.get("check_out")
        if check_in and not check_out and "check_out" not in self.errors:
            self.add_error("check_out", _("Give a check-out date too."))
        elif check_out and not check_in and "check_in" not in self.errors:
            self.add_error("check_in", _("Give a check-in date too."))
        elif check_in and check_out:
            try:
                check_dates(check_in=check_in, check_out=check_out)
            except ReservationError as refused:
                self.add_refusal(refused)
        return cleaned

    def stay(self) -> dict:
        """The valid dates and guests, for the listings' links and their request forms."""
        return {
            name: self.cleaned_data[name]
            for name in ("check_in", "check_out", "guests")
            if self.cleaned_data.get(name)
        }


def listings_matching(
    *,
    where: str = "",
    check_in: date | None = None,
    check_out: date | None = None,
    guests: int | None = None,
    sort: str = "",
) -> QuerySet[Property]:
    """Listed places whose title or location has every word of `where`, that take `guests`,
    with no confirmed stay over check_in–check_out; newest first unless `sort` says."""
    listings = Property.objects.listed()
    for word in search_words(where)[:MAX_WHERE_WORDS]:
        listings = listings.filter(search_text__contains=word)
    if guests:
        listings = listings.filter(max_guests__gte=guests)
    if check_in and check_out:
        booked = confirmed_stays_overlapping(
            property=OuterRef("pk"), check_in=check_in, check_out=check_out
        )
        listings = listings.filter(~Exists(booked))
    return listings.order_by(*ORDERINGS.get(sort) or ORDERINGS["newest"])
