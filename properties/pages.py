"""Listings a page at a time, without counting them.

Counting every match ("Page 1 of N") reads every listing a search finds, however few are
shown: a page reads one listing more than it shows instead, to know whether another follows.
The home page and a search share this pager.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

LISTINGS_PER_PAGE = 12
# A deeper page pays for its OFFSET, and a huge number must not overflow it: none is shown.
MAX_PAGE = 1000


@dataclass(frozen=True)
class Page:
    number: int
    listings: list
    has_next: bool

    def __iter__(self):
        return iter(self.listings)

    def __len__(self):
        return len(self.listings)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def is_past_the_end(self) -> bool:
        """A page after the last one: a stale or hand-written link."""
        return self.has_previous and not self.listings


def page_number(asked) -> int:
    """The page a query string asks for: anything that is not a page number is the first."""
    try:
        number = int(asked)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


def page_of(listings: QuerySet, number: int, per_page: int = LISTINGS_PER_PAGE) -> Page:
    """Page `number` of `listings` (ordered), in one query."""
    if number > MAX_PAGE:
        return Page(number=number, listings=[], has_next=False)
    start = (number - 1) * per_page
    read = list(listings[start : start + per_page + 1])
    return Page(number=number, listings=read[:per_page], has_next=len(read) > per_page)
