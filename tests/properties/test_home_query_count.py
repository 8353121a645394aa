"""The home page costs the same queries whatever the number of listings."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from properties.models import Photo, Property

pytestmark = pytest.mark.django_db


def listed(host, count):
    Property.objects.bulk_create(
        Property(
            host=host,
            title=f"Place {n}",
            description="Quiet.",
            location="Lake Placid, NY",
            nightly_price=100,
            max_guests=2,
            image_url="https://example.com/cabin.jpg",
        )
        for n in range(count)
    )


def queries_of(client, path):
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(path)
    assert answer.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["", "?page=2"])
def test_the_home_page_costs_one_query_for_any_number_of_listings(client, host, page):
    listed(host, 30)
    client.get(reverse("home"))  # what a process caches on its first request
    few = queries_of(client, reverse("home") + page)
    listed(host, 300)
    many = queries_of(client, reverse("home") + page)

    # The page's listings and one more, to know whether another page follows: no count.
    assert few == many == 1


def photographed():
    """Two photos for each listing that has none, the later one first by position."""
    Photo.objects.bulk_create(
        Photo(
            listing=listing,
            position=position,
            image=f"p/{listing.pk}-{position}.jpg",
            thumbnail=f"t/{listing.pk}-{position}.jpg",
        )
        for listing in Property.objects.filter(photos=None)
        for position in (1, 0)
    )


def test_the_covers_cost_no_query_of_their_own(client, host):
    listed(host, 30)
    photographed()
    client.get(reverse("home"))
    few = queries_of(client, reverse("home"))
    listed(host, 300)
    photographed()
    many = queries_of(client, reverse("home"))

    assert few == many == 1
    page = client.get(reverse("home")).text
    newest = Property.objects.listed().first()
    assert f'src="/media/t/{newest.pk}-0.jpg"' in page
    assert "/media/p/" not in page and f"t/{newest.pk}-1.jpg" not in page


def test_a_logged_in_visitor_costs_the_same_queries_for_any_number_of_listings(client, host, login):
    login(host)
    listed(host, 30)
    client.get(reverse("home"))
    few = queries_of(client, reverse("home"))
    listed(host, 300)

    assert queries_of(client, reverse("home")) == few


def plan_of(queryset) -> str:
    """The query's plan where a few hundred rows would rightly be read whole and sorted: would
    the indexes serve if they had to?"""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        return queryset.explain()


def test_the_newest_listings_are_read_through_an_index(client, host):
    listed(host, 300)
    plan = plan_of(Property.objects.listed()[:12])

    assert "property_listed_newest_idx" in plan


def test_the_newest_listings_and_their_covers_are_read_through_indexes(client, host):
    listed(host, 300)
    photographed()
    plan = plan_of(Property.objects.listed().with_cover()[:12])

    assert "property_listed_newest_idx" in plan
    assert "photo_listing_order_idx" in plan
