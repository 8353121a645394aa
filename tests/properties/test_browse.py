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
    assert "Page 1 of 2" in response.text
    assert 'href="?page=2"' in response.text


def test_home_page_2_shows_the_rest(client, thirteen_listings):
    response = client.get(reverse("home"), {"page": 2})

    assert response.status_code == 200
    assert "Listing 01" in response.text
    assert "Listing 02" not in response.text
    assert "Page 2 of 2" in response.text


@pytest.mark.parametrize(
    ("page", "shown"),
    [("junk", "Page 1 of 2"), ("-1", "Page 2 of 2"), ("999", "Page 2 of 2"), ("", "Page 1 of 2")],
)
def test_home_survives_a_junk_page_number(client, thirteen_listings, page, shown):
    response = client.get(reverse("home"), {"page": page})

    assert response.status_code == 200
    assert shown in response.text


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
