"""A listing's calendar: the next months, day by day, with the nights that are taken."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import formats
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

from properties.models import Property
from reservations.models import Reservation
from reservations.services import confirmed_stays_overlapping, stays_and_requests_overlapping

MONTHS_SHOWN = 3


@dataclass(frozen=True)
class Day:
    date: date
    past: bool = False
    booked: bool = False  # a confirmed stay's night
    requested: bool = False  # a pending request's night (shown to the host only)


@dataclass(frozen=True)
class Month:
    first: date
    weeks: list[list[Day | None]]  # None pads the weeks before the 1st and after the last


@dataclass(frozen=True)
class Weekday:
    name: str
    abbreviation: str


@dataclass(frozen=True)
class Calendar:
    weekdays: list[Weekday]
    months: list[Month]
    reservations: list[Reservation]


def listing_calendar(*, listing: Property, today: date, for_host: bool = False) -> Calendar:
    """The month of `today` and the next ones; the host's shows pending requests too.

    One query, whatever the number of reservations.
    """
    first = today.replace(day=1)
    end = add_months(first, MONTHS_SHOWN)
    read = stays_and_requests_overlapping if for_host else confirmed_stays_overlapping
    reservations = list(read(property=listing, check_in=first, check_out=end))
    booked, requested = set(), set()
    for reservation in reservations:
        nights = booked if reservation.status == Reservation.Status.CONFIRMED else requested
        nights.update(nights_of(reservation))
    # Django counts weekdays from Sunday (0), the calendar module from Monday (0).
    first_weekday = (formats.get_format("FIRST_DAY_OF_WEEK") - 1) % 7
    grid = calendar.Calendar(firstweekday=first_weekday)
    months = []
    for n in range(MONTHS_SHOWN):
        month = add_months(first, n)
        weeks = [
            [
                Day(
                    date=day,
                    past=day < today,
                    booked=day in booked,
                    requested=day in requested and day not in booked,
                )
                if day.month == month.month
                else None
                for day in week
            ]
            for week in grid.monthdatescalendar(month.year, month.month)
        ]
        months.append(Month(first=month, weeks=weeks))
    weekdays = [
        Weekday(name=WEEKDAYS[n], abbreviation=WEEKDAYS_ABBR[n]) for n in grid.iterweekdays()
    ]
    return Calendar(weekdays=weekdays, months=months, reservations=reservations)


def nights_of(reservation: Reservation):
    night = reservation.check_in
    while night < reservation.check_out:
        yield night
        night += timedelta(days=1)


def add_months(first: date, months: int) -> date:
    """The first day of the month `months` after `first`'s."""
    index = first.month - 1 + months
    return date(first.year + index // 12, index % 12 + 1, 1)
