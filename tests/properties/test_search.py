"""Finding a stay on the home page: where, when, how many; bad searches get a message."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from properties.models import Property
from reservations.models import Reservation
from tests.conftest import days_from_now

pytestmark = pytest.mark.django_db

Status = Reservation.Status


def search(client, **params):
    return client.get(reverse("home"), params)


def titles(response):
    return [listing.title for listing in response.context["page"]]


# Where


@pytest.mark.parametrize(
    ("where", "title", "location"),
    [
        ("kyoto", "Machiya townhouse", "Kyōto, Japan"),
        ("ＫＹＯＴＯ", "Machiya townhouse", "Kyoto, Japan"),
        ("KYŌTO", "Machiya townhouse", "kyoto"),
        ("東京", "東京の静かな部屋", "Shinjuku"),
        ("ｷｮｳﾄ", "キョウトの家", "Japan"),
        ("sao paulo", "Loft", "São Paulo"),
        ("cafe", "Café apartment", "Paris"),
    ],
)
def test_where_finds_a_place_whatever_its_case_accents_or_width(
    client, host, make_property, where, title, location
):
    make_property(host, title=title, location=location)
    make_property(host, title="Cabin by the lake", location="Lake Placid, NY")

    assert titles(search(client, where=where)) == [title]


def test_where_matches_the_title_or_the_location_and_every_word(client, host, make_property):
    make_property(host, title="Garden flat", location="Lisbon, Portugal")
    make_property(host, title="Lisbon loft", location="Alfama")
    make_property(host, title="Porto house", location="Porto, Portugal")

    assert set(titles(search(client, where="lisbon"))) == {"Garden flat", "Lisbon loft"}
    assert titles(search(client, where="Garden, Portugal")) == ["Garden flat"]
    assert titles(search(client, where="garden porto")) == []


def test_a_japanese_word_does_not_lose_its_voicing_mark(client, host, make_property):
    make_property(host, title="ドアの前の家", location="Osaka")
    make_property(host, title="トアロードの家", location="Kobe")

    assert titles(search(client, where="ドア")) == ["ドアの前の家"]


def test_an_edited_title_is_found_by_its_new_words(client, host, listing, login):
    login(host).post(
        reverse("property_edit", args=[listing.pk]),
        {
            "title": "Hütte am See",
            "description": "Ruhig.",
            "location": "Zürich",
            "nightly_price": "150",
            "currency": "USD",
            "max_guests": "2",
            "image_url": "https://example.com/cabin.jpg",
        },
    )

    assert titles(search(client, where="zurich hutte")) == ["Hütte am See"]
    assert titles(search(client, where="lake")) == []


def test_where_with_nothing_but_punctuation_lists_every_place(client, host, make_property):
    make_property(host, title="Cabin")

    response = search(client, where="%_—!")

    assert response.status_code == 200
    assert titles(response) == ["Cabin"]


# When


@pytest.fixture
def cabin_and_barn(host, guest, make_property, make_reservation):
    cabin = make_property(host, title="Cabin")
    barn = make_property(host, title="Barn")
    make_reservation(
        cabin, guest, check_in=days_from_now(10), check_out=days_from_now(13), status="confirmed"
    )
    # Requests and ended stays do not take the nights.
    for status in (Status.PENDING, Status.REJECTED, Status.CANCELLED, Status.EXPIRED):
        make_reservation(
            barn, guest, check_in=days_from_now(10), check_out=days_from_now(13), status=status
        )
    return cabin, barn


@pytest.mark.parametrize(
    ("check_in", "check_out", "found"),
    [
        (10, 13, ["Barn"]),  # the same nights
        (12, 14, ["Barn"]),  # the last night
        (8, 11, ["Barn"]),  # the first night
        (9, 20, ["Barn"]),  # around it
        (13, 15, ["Barn", "Cabin"]),  # check in the day the stay checks out
        (7, 10, ["Barn", "Cabin"]),  # check out the day the stay checks in
    ],
)
def test_dates_find_only_places_with_no_confirmed_stay_on_those_nights(
    client, cabin_and_barn, check_in, check_out, found
):
    response = search(
        client,
        check_in=days_from_now(check_in).isoformat(),
        check_out=days_from_now(check_out).isoformat(),
    )

    assert response.status_code == 200
    assert sorted(titles(response)) == found


# How many


def test_guests_find_only_places_that_take_that_many(client, host, make_property):
    make_property(host, title="Studio", max_guests=2)
    make_property(host, title="Farmhouse", max_guests=8)

    assert titles(search(client, guests="3")) == ["Farmhouse"]
    assert sorted(titles(search(client, guests="2"))) == ["Farmhouse", "Studio"]
    assert titles(search(client, guests="9")) == []


def test_withdrawn_places_are_never_found(client, host, make_property):
    make_property(host, title="Kyoto house", location="Kyoto")
    make_property(host, title="Kyoto flat", location="Kyoto", withdrawn_at=timezone.now())

    response = search(
        client,
        where="kyoto",
        guests="1",
        check_in=days_from_now(3).isoformat(),
        check_out=days_from_now(5).isoformat(),
    )

    assert titles(response) == ["Kyoto house"]


def test_everything_at_once(client, host, guest, make_property, make_reservation):
    booked = make_property(host, title="Booked Kyoto", location="Kyoto", max_guests=4)
    make_property(host, title="Small Kyoto", location="Kyoto", max_guests=1)
    make_property(host, title="Free Osaka", location="Osaka", max_guests=4)
    make_property(host, title="Free Kyoto", location="Kyōto", max_guests=4)
    make_reservation(
        booked, guest, check_in=days_from_now(5), check_out=days_from_now(8), status="confirmed"
    )

    response = search(
        client,
        where="kyoto",
        check_in=days_from_now(6).isoformat(),
        check_out=days_from_now(7).isoformat(),
        guests="2",
    )

    assert titles(response) == ["Free Kyoto"]


# Sort and pages


@pytest.fixture
def priced(host, make_property):
    for title, price in (("Middle", "150"), ("Cheap", "60"), ("Dear", "400")):
        make_property(host, title=title, nightly_price=Decimal(price))


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("", ["Dear", "Cheap", "Middle"]),
        ("newest", ["Dear", "Cheap", "Middle"]),
        ("price", ["Cheap", "Middle", "Dear"]),
        ("-price", ["Dear", "Middle", "Cheap"]),
    ],
)
def test_results_are_sorted_by_newest_or_price(client, priced, sort, order):
    assert titles(search(client, sort=sort)) == order


def test_pages_keep_the_search(client, host, make_property):
    for n in range(1, 16):
        make_property(host, title=f"Kyoto {n:02d}", location="Kyoto", nightly_price=100 + n)
    make_property(host, title="Elsewhere", nightly_price=1)
    params = {"where": "kyoto", "guests": "2", "sort": "price"}

    first = search(client, **params)
    second = search(client, **params, page="2")

    assert titles(first) == [f"Kyoto {n:02d}" for n in range(1, 13)]
    assert titles(second) == [f"Kyoto {n:02d}" for n in range(13, 16)]
    assert '<a href="?where=kyoto&amp;guests=2&amp;sort=price&amp;page=2" rel="next">Next</a>' in (
        first.text
    )
    assert 'rel="prev"' not in first.text
    prev = '<a href="?where=kyoto&amp;guests=2&amp;sort=price&amp;page=1" rel="prev">Previous</a>'
    assert prev in second.text
    assert 'rel="next"' not in second.text


def test_a_search_page_beyond_the_end_keeps_the_search(client, host, make_property):
    make_property(host, title="Kyoto 01", location="Kyoto")

    response = search(client, where="kyoto", sort="price", page="4")

    assert response.status_code == 404
    assert "This page is past the last one." in response.text
    assert '<a href="?where=kyoto&amp;sort=price">Back to the first page</a>' in response.text


def test_the_form_shows_the_search_it_made(client, listing):
    check_in, check_out = days_from_now(5).isoformat(), days_from_now(8).isoformat()

    response = search(client, where="Lake", check_in=check_in, check_out=check_out, guests="2")

    assert '<form method="get" action="/"' in response.text
    assert 'name="where" value="Lake"' in response.text
    assert f'name="check_in" value="{check_in}"' in response.text
    assert f'name="check_out" value="{check_out}"' in response.text
    assert 'name="guests" value="2"' in response.text


def test_results_link_to_the_place_with_the_dates_and_guests(client, listing):
    check_in, check_out = days_from_now(5).isoformat(), days_from_now(8).isoformat()

    response = search(client, where="lake", check_in=check_in, check_out=check_out, guests="2")

    query = f"check_in={check_in}&amp;check_out={check_out}&amp;guests=2"
    link = f"{listing.get_absolute_url()}?{query}"
    assert f'href="{link}"' in response.text


def test_a_search_that_finds_nothing_says_so(client, listing):
    response = search(client, where="atlantis")

    assert response.status_code == 200
    assert "No place is free for that search." in response.text
    assert "No properties are listed yet." not in response.text


def test_a_search_that_finds_nothing_says_so_in_japanese(client, listing):
    response = client.get(reverse("home"), {"where": "atlantis"}, headers={"Accept-Language": "ja"})

    assert "その条件で空いている宿泊先はありません。" in response.text


# Bad searches: a message, never a 500


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"check_in": "-1", "check_out": "2"}, "check_in", "Check-in must be in the future."),
        ({"check_in": "0", "check_out": "2"}, "check_in", "Check-in must be in the future."),
        ({"check_in": "5", "check_out": "3"}, "check_out", "Check-out must be after check-in."),
        ({"check_in": "5", "check_out": "5"}, "check_out", "Check-out must be after check-in."),
        ({"check_in": "5", "check_out": "40"}, "check_out", "A stay can be at most 30 nights."),
        ({"check_in": "5"}, "check_out", "Give a check-out date too."),
        ({"check_out": "5"}, "check_in", "Give a check-in date too."),
        ({"check_in": "2026-02-30", "check_out": "5"}, "check_in", "Enter a valid date."),
        ({"check_in": "tomorrow", "check_out": "5"}, "check_in", "Enter a valid date."),
        ({"check_in": "5", "check_out": "5\x00"}, "check_out", "Enter a valid date."),
        ({"guests": "0"}, "guests", "Ensure this value is greater than or equal to 1."),
        ({"guests": "-3"}, "guests", "Ensure this value is greater than or equal to 1."),
        ({"guests": "1" + "0" * 20}, "guests", "Ensure this value is less than or equal to 50."),
        ({"guests": "abc"}, "guests", "Enter a whole number."),
        ({"guests": "2.5"}, "guests", "Enter a whole number."),
        ({"where": "x" * 10_000}, "where", "Ensure this value has at most 100 characters"),
        ({"where": "Kyoto\x00"}, "where", "Null characters are not allowed."),
        ({"sort": "price; DROP TABLE"}, "sort", "Select a valid choice."),
    ],
)
def test_a_bad_search_gets_a_message_never_a_500(client, listing, params, field, message):
    params = {
        name: days_from_now(int(value)).isoformat()
        if name.startswith("check_") and value.lstrip("-").isdigit()
        else value
        for name, value in params.items()
    }

    response = search(client, **params)

    assert response.status_code == 400
    assert "Check the search: some of it cannot be used as it is." in response.text
    assert message in " ".join(response.context["search"].errors[field])
    assert message in response.text.replace("&#x27;", "'")
    assert 'class="listing"' not in response.text


def test_a_bad_search_gets_its_message_in_japanese(client, listing):
    response = client.get(
        reverse("home"),
        {"check_in": days_from_now(5).isoformat()},
        headers={"Accept-Language": "ja"},
    )

    assert response.status_code == 400
    assert "チェックアウトの日付も入力してください。" in response.text
    assert "検索条件を確認してください" in response.text


def test_an_empty_search_lists_every_place(client, listing):
    response = search(client, where="", check_in="", check_out="", guests="", sort="")

    assert response.status_code == 200
    assert titles(response) == [listing.title]


def test_the_search_text_is_kept_in_step_by_save_with_update_fields(listing):
    listing.location = "Kyōto"
    listing.save(update_fields=["location"])

    assert Property.objects.filter(search_text__contains="kyoto").get() == listing
