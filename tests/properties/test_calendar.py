"""A property's page: three months with their booked nights, and the total for the dates."""

import re
from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse

from reservations.models import Reservation

pytestmark = pytest.mark.django_db

Status = Reservation.Status
TODAY = date(2026, 12, 20)


@pytest.fixture(autouse=True)
def on_a_december_day():
    with time_machine.travel(date(2026, 12, 20), tick=False):
        yield


def cell(text, day: date):
    """The calendar's cell of `day`, as HTML."""
    match = re.search(rf'<td class="[^"]*"><time datetime="{day.isoformat()}">.*?</td>', text)
    assert match, day
    return match[0]


def booked_days(text):
    return re.findall(r'<td class="day[^"]* booked"><time datetime="([\d-]+)">', text)


def test_the_page_shows_this_month_and_the_next_two(client, listing):
    response = client.get(listing.get_absolute_url())

    captions = re.findall(r"<caption>(.*?)</caption>", response.text)
    assert captions == ["December 2026", "January 2027", "February 2027"]
    assert '<th scope="col"><abbr title="Sunday">Sun</abbr></th>' in response.text
    assert cell(response.text, date(2027, 2, 28))
    assert 'datetime="2027-03-01"' not in response.text


def test_confirmed_nights_are_booked_and_the_check_out_day_is_free(
    client, listing, guest, make_reservation
):
    make_reservation(
        listing, guest, check_in=date(2026, 12, 30), check_out=date(2027, 1, 2), status="confirmed"
    )

    response = client.get(listing.get_absolute_url())

    assert booked_days(response.text) == ["2026-12-30", "2026-12-31", "2027-01-01"]
    assert cell(response.text, date(2026, 12, 30)).endswith(
        '30</time><span class="visually-hidden"> booked</span></td>'
    )
    assert "booked" not in cell(response.text, date(2027, 1, 2))


def test_requests_and_ended_stays_do_not_show_on_the_public_calendar(
    client, listing, guest, make_reservation
):
    for status in (Status.PENDING, Status.REJECTED, Status.CANCELLED, Status.DECLINED):
        make_reservation(
            listing, guest, check_in=date(2027, 1, 5), check_out=date(2027, 1, 8), status=status
        )

    response = client.get(listing.get_absolute_url())

    assert booked_days(response.text) == []
    assert "requested" not in response.text


def test_stays_beyond_the_three_months_are_not_read(client, listing, guest, make_reservation):
    make_reservation(
        listing, guest, check_in=date(2027, 2, 27), check_out=date(2027, 3, 3), status="confirmed"
    )
    make_reservation(
        listing, guest, check_in=date(2027, 3, 10), check_out=date(2027, 3, 12), status="confirmed"
    )

    response = client.get(listing.get_absolute_url())

    assert booked_days(response.text) == ["2027-02-27", "2027-02-28"]


def test_the_calendar_is_in_japanese_for_a_japanese_reader(client, listing):
    response = client.get(listing.get_absolute_url(), headers={"Accept-Language": "ja"})

    captions = re.findall(r"<caption>(.*?)</caption>", response.text)
    assert captions == ["2026年12月", "2027年1月", "2027年2月"]
    assert '<th scope="col"><abbr title="日曜日">日</abbr></th>' in response.text
    assert "空き状況" in response.text


def test_the_calendar_costs_one_query_whatever_the_number_of_stays(
    client, listing, guest, make_reservation, django_assert_num_queries
):
    make_reservation(
        listing, guest, check_in=date(2027, 1, 5), check_out=date(2027, 1, 8), status="confirmed"
    )
    client.get(listing.get_absolute_url())
    # The listing and its host; its photos; the stays.
    with django_assert_num_queries(3):
        client.get(listing.get_absolute_url())
    for day in (10, 14, 18, 22):
        make_reservation(
            listing,
            guest,
            check_in=date(2027, 1, day),
            check_out=date(2027, 1, day + 2),
            status="confirmed",
        )
    with django_assert_num_queries(3):
        client.get(listing.get_absolute_url())


# The total for the chosen dates


def stay(check_in, check_out, guests=2):
    return {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "guests": guests}


@pytest.fixture
def loft(make_property, host):
    return make_property(host, title="Loft", nightly_price=Decimal("1234.50"), max_guests=4)


def test_the_total_is_nights_times_the_nightly_price(client, loft):
    response = client.get(loft.get_absolute_url(), stay(date(2027, 1, 5), date(2027, 1, 8)))

    assert "3 nights × $1,234.50 = <strong>$3,703.50</strong>" in response.text
    assert "Some of those nights are already booked" not in response.text


def test_one_night_is_said_in_the_singular(client, loft):
    response = client.get(loft.get_absolute_url(), stay(date(2027, 1, 5), date(2027, 1, 6)))

    assert "1 night × $1,234.50 = <strong>$1,234.50</strong>" in response.text


def test_the_total_is_written_for_a_japanese_reader(client, loft):
    response = client.get(
        loft.get_absolute_url(),
        stay(date(2027, 1, 5), date(2027, 1, 8)),
        headers={"Accept-Language": "ja"},
    )

    assert "3泊 × $1,234.50 = <strong>$3,703.50</strong>" in response.text
    assert "2027年1月5日 – 2027年1月8日" in response.text


def test_the_total_says_when_the_nights_are_taken(client, loft, guest, make_reservation):
    make_reservation(
        loft, guest, check_in=date(2027, 1, 6), check_out=date(2027, 1, 7), status="confirmed"
    )

    response = client.get(loft.get_absolute_url(), stay(date(2027, 1, 5), date(2027, 1, 8)))

    assert "Some of those nights are already booked: choose other dates." in response.text


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"check_in": "2026-12-10", "check_out": "2026-12-12"},  # the past
        {"check_in": "2027-01-08", "check_out": "2027-01-05"},
        {"check_in": "2027-01-05"},
        {"check_in": "junk", "check_out": "\x00", "guests": "1" + "0" * 20},
    ],
)
def test_no_total_without_good_dates_and_never_a_500(client, loft, params):
    response = client.get(loft.get_absolute_url(), params)

    assert response.status_code == 200
    assert 'class="total"' not in response.text


def test_the_request_form_is_filled_in_from_the_search(client, loft, guest, login):
    login(guest)

    response = client.get(loft.get_absolute_url(), stay(date(2027, 1, 5), date(2027, 1, 8), 3))

    assert 'name="check_in" value="2027-01-05"' in response.text
    assert 'name="check_out" value="2027-01-08"' in response.text
    assert 'name="guests" value="3"' in response.text


def test_a_refused_request_shows_the_calendar_again(client, loft, guest, login):
    login(guest)

    response = client.post(
        reverse("request_stay", args=[loft.pk]),
        {**stay(date(2027, 1, 5), date(2027, 1, 8), 9), "message": "Hi"},
    )

    assert response.status_code == 400
    assert "<caption>December 2026</caption>" in response.text


def test_logging_in_from_the_page_keeps_the_chosen_dates(client, loft):
    response = client.get(loft.get_absolute_url(), stay(date(2027, 1, 5), date(2027, 1, 8)))

    next_page = f"{loft.get_absolute_url()}?check_in=2027-01-05&check_out=2027-01-08&guests=2"
    assert f"?next={quote(next_page, safe='/')}%23request" in response.text
