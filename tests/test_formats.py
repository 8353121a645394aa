"""Dates as each language writes them (airtng/formats)."""

from datetime import date, datetime

import pytest
from django.utils import translation
from django.utils.formats import date_format

from reservations import texts


@pytest.mark.parametrize(("language", "written"), [("en", "Fri, Dec 11"), ("ja", "12月11日(金)")])
def test_a_day_of_a_stay(language, written):
    with translation.override(language):
        assert texts._day(date(2026, 12, 11)) == written


@pytest.mark.parametrize(
    ("language", "written"), [("en", "Dec. 11, 2026, 3:04 p.m."), ("ja", "2026年12月11日 15:04")]
)
def test_a_moment_such_as_the_time_to_answer_by(language, written):
    with translation.override(language):
        assert date_format(datetime(2026, 12, 11, 15, 4), "DATETIME_FORMAT") == written
