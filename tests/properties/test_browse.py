import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


def positions(text, *needles):
    return [text.index(needle) for needle in needles]


# The home page


@pytest.mark.django_db
def test_home_says_when_nothing_is_listed(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "No properties are listed yet." in response.text


def test_home_lists_the_newest_first(client, host, make_property):
    make_property(host, title="Oldest barn")
    make_property(host, title="Middle mill")
    make_property(host, title="Newest nook")

    response = client.get(reverse("home"))

    newest, middle, oldest = positions(response.text, "Newest nook", "Middle mill", "Oldest barn")
    assert newest < middle < oldest


def test_home_card_shows_title_location_price_and_photo(client, host, make_property):
    listing = make_property(
        host,
        title="Adobe casita",
        location="Taos, NM",
        nightly_price="89.00",
        image_url="https://example.com/casita.jpg",
    )

    response = client.get(reverse("home"))

    assert "Adobe casita" in response.text
    assert "Taos, NM" in response.text
    assert "$89.00 a night" in response.text
    assert 'src="https://example.com/casita.jpg"' in response.text
    assert f'href="{listing.get_absolute_url()}"' in response.text


@pytest.fixture
def thirteen_listings(host, make_property):
    return [make_property(host, title=f"Listing {n:02d}") for n in range(1, 14)]


def test_home_shows_12_listings_per_page(client, thirteen_listings):
    response = client.get(reverse("home"))

    for n in range(2, 14):
        assert f"Listing {n:02d}" in response.text
    assert "Listing 01" not in response.text
    assert "<span>Page 1</span>" in response.text
    assert '<a href="?page=2" rel="next">Older</a>' in response.text
    assert 'rel="prev"' not in response.text


def test_home_page_2_is_the_last_page(client, thirteen_listings):
    response = client.get(reverse("home"), {"page": 2})

    assert response.status_code == 200
    assert "Listing 01" in response.text
    assert "Listing 02" not in response.text
    assert "<span>Page 2</span>" in response.text
    assert '<a href="?page=1" rel="prev">Newer</a>' in response.text
    assert 'rel="next"' not in response.text


def test_a_page_that_is_exactly_full_has_no_next_page(client, host, make_property):
    for n in range(12):
        make_property(host, title=f"Listing {n:02d}")

    response = client.get(reverse("home"))

    assert response.text.count('class="listing"') == 12
    assert 'class="pages"' not in response.text


@pytest.mark.parametrize("page", ["3", "999", str(10**30)])
def test_a_page_beyond_the_end_says_so_and_links_to_the_first(client, thirteen_listings, page):
    response = client.get(reverse("home"), {"page": page})

    assert response.status_code == 404
    assert "This page is past the last one." in response.text
    assert '<a href="?">Back to the first page</a>' in response.text
    assert 'class="listing"' not in response.text


@pytest.mark.parametrize("page", ["junk", "-1", "0", "", "2.5", "1e3", "９" * 5000])
def test_a_bad_page_number_is_the_first_page(client, thirteen_listings, page):
    response = client.get(reverse("home"), {"page": page})

    assert response.status_code == 200
    assert "<span>Page 1</span>" in response.text
    assert "Listing 13" in response.text


def test_the_pages_read_in_japanese(client, thirteen_listings):
    first = client.get(reverse("home"), headers={"Accept-Language": "ja"})
    past = client.get(reverse("home"), {"page": 5}, headers={"Accept-Language": "ja"})

    assert "<span>1ページ目</span>" in first.text
    assert "このページは最後のページより後です。" in past.text
    assert "最初のページへ" in past.text


# A property's page


def test_property_page_shows_photo_description_and_host(client, listing):
    response = client.get(listing.get_absolute_url())

    assert response.status_code == 200
    assert "<h1>Cabin by the lake</h1>" in response.text
    assert 'src="https://example.com/cabin.jpg"' in response.text
    assert "Quiet, with a canoe." in response.text
    assert "Lake Placid, NY" in response.text
    assert "$120.00 a night · up to 4 guests · hosted by Hannah" in response.text


def test_a_logged_in_guest_sees_the_request_form(login, guest, listing):
    response = login(guest).get(listing.get_absolute_url())

    assert f'action="{reverse("request_stay", args=[listing.pk])}"' in response.text
    assert 'name="check_in"' in response.text
    assert "Request to book" in response.text
    assert "Log in to request a stay" not in response.text


def test_anonymous_visitor_is_asked_to_log_in_and_comes_back(client, listing, guest):
    response = client.get(listing.get_absolute_url())

    login_url = f"{reverse('login')}?next={listing.get_absolute_url()}%23request"
    assert f'href="{login_url}"' in response.text
    assert "Log in to request a stay" in response.text
    assert reverse("request_stay", args=[listing.pk]) not in response.text

    logged_in = client.post(login_url, {"username": "gus@example.com", "password": PASSWORD})
    assert logged_in.status_code == 302
    assert logged_in.url == f"{listing.get_absolute_url()}#request"


def test_the_host_sees_no_request_form_but_can_edit(login, host, listing):
    response = login(host).get(listing.get_absolute_url())

    assert response.status_code == 200
    assert reverse("request_stay", args=[listing.pk]) not in response.text
    assert "Request to book" not in response.text
    assert "Log in to request a stay" not in response.text
    assert f'href="{reverse("property_edit", args=[listing.pk])}"' in response.text


def test_other_users_see_no_edit_link(login, guest, listing):
    response = login(guest).get(listing.get_absolute_url())

    assert reverse("property_edit", args=[listing.pk]) not in response.text
    assert reverse("property_delete", args=[listing.pk]) not in response.text


@pytest.mark.django_db
def test_an_unknown_property_is_404(client):
    response = client.get(reverse("property_detail", args=[999_999]))

    assert response.status_code == 404
