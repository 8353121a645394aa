"""What the staff's admin pages share: finding a number however it is written, links from a
log row to its person and request, and pages that show history without letting it change."""

import phonenumbers
from django.conf import settings
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _


def searched_numbers(term: str) -> set[str]:
    """The E.164 numbers `term` may be: `+1 (202) 555-0101`; `(202) 555-0101` in the default
    region; `090-1234-5678` in whichever country Airtng texts it is a number of."""
    if sum(character.isdigit() for character in term) < 7:
        return set()
    parsed = []
    for region in dict.fromkeys([settings.PHONENUMBER_DEFAULT_REGION, *settings.SMS_COUNTRIES]):
        try:
            parsed.append(phonenumbers.parse(term, region))
        except phonenumbers.NumberParseException:
            continue
    # Numbers valid somewhere beat those that only have the right length.
    for fits in (phonenumbers.is_valid_number, phonenumbers.is_possible_number):
        if found := {
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            for number in parsed
            if fits(number)
        }:
            return found
    return set()


class NumberSearch:
    """A ModelAdmin mixin: a search for a number in any format finds it in `number_fields`."""

    number_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if numbers := searched_numbers(search_term):
            matching = Q()
            for field in self.number_fields:
                matching |= Q(**{f"{field}__in": numbers})
            found |= queryset.filter(matching)
        return found, may_have_duplicates


class History:
    """A ModelAdmin mixin for what happened: staff read it, nobody adds, edits or deletes it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PersonAndRequestLinks:
    """A ModelAdmin mixin: `user_link` and `reservation_link` columns for a row's `user` and
    `reservation`."""

    @staticmethod
    def _link(url_name, pk, text):
        if pk is None:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse(url_name, args=[pk]), text)

    @admin.display(description=_("user"), ordering="user")
    def user_link(self, row):
        return self._link("admin:accounts_user_change", row.user_id, row.user)

    @admin.display(description=_("reservation"), ordering="reservation")
    def reservation_link(self, row):
        return self._link(
            "admin:reservations_reservation_change", row.reservation_id, f"#{row.reservation_id}"
        )
