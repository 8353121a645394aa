"""Django's own strings that its Japanese catalogue lacks: listed here so `make messages`
puts them in ours, which Django reads first (LOCALE_PATHS)."""

from django.utils.translation import gettext_noop

MISSING_FROM_DJANGOS_CATALOGUE = [
    gettext_noop("- Select an option -"),  # the blank choice of every select (BLANK_CHOICE_DASH)
]
