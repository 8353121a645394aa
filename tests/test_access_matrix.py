"""Who may read or change whose data: every such URL, for two hosts, two guests, a visitor,
and staff with and without the permissions it needs."""

import json

import pytest

from airtng.messaging.services import queue_sms
from properties.models import Property
from reservations.models import Reservation
from tests.conftest import SIMULATOR_PERMISSIONS, grant

ACTORS = ["host", "other_host", "guest", "other_guest", "visitor", "staff", "plain_staff"]
LOGGED_IN = set(ACTORS) - {"visitor"}
SECRET_MESSAGE = "Our quiet week, door code please."


@pytest.fixture
def world(settings, make_user, make_property, make_reservation):
    settings.TWILIO_AUTH_TOKEN = "a-real-token"  # not the embedded run
    people = {
        "host": make_user(first_name="Hannah", email="hannah@example.com"),
        "other_host": make_user(first_name="Ravi", email="ravi@example.com"),
        "guest": make_user(first_name="Gus", email="gus@example.com"),
        "other_guest": make_user(first_name="Mei", email="mei@example.com"),
        "staff": make_user(first_name="Stella", email="stella@example.com", is_staff=True),
        "plain_staff": make_user(first_name="Pat", email="pat@example.com", is_staff=True),
    }
    people["staff"] = grant(people["staff"], *SIMULATOR_PERMISSIONS, "accounts.view_user")
    listing = make_property(people["host"], title="Cabin by the lake")
    make_property(people["other_host"], title="Beach bungalow")
    request = make_reservation(listing, people["guest"], message=SECRET_MESSAGE)
    make_reservation(
        Property.objects.get(title="Beach bungalow"), people["other_guest"], message="Hi!"
    )
    queue_sms(to=str(people["host"].phone_number), body="A private SMS to Hannah.")
    return {"people": people, "listing": listing, "request": request}


def client_for(client, world, actor):
    if actor != "visitor":
        client.force_login(world["people"][actor])
    return client


# (method, path, who may, what the page shows only to them)
PAGES_OF_ONES_OWN = [
    ("/accounts/profile/", "host", "hannah@example.com"),
    ("/accounts/pin/", "host", None),
    ("/properties/mine/", "host", "Cabin by the lake"),
    ("/reservations/trips/", "guest", "Cabin by the lake"),
    ("/reservations/requests/", "host", SECRET_MESSAGE),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("path", "owner", "private"), PAGES_OF_ONES_OWN)
def test_pages_of_ones_own_show_only_ones_own(client, world, actor, path, owner, private):
    response = client_for(client, world, actor).get(path)

    if actor == "visitor":
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
        return
    assert response.status_code == 200
    if private:
        assert (private in response.text) is (actor == owner)


OWNERS_ONLY = [
    ("GET", "/properties/{listing}/calendar/", "host"),
    ("GET", "/properties/{listing}/edit/", "host"),
    ("GET", "/properties/{listing}/delete/", "host"),
    ("POST", "/properties/{listing}/edit/", "host"),
    ("POST", "/properties/{listing}/delete/", "host"),
    ("POST", "/reservations/{request}/accept/", "host"),
    ("POST", "/reservations/{request}/reject/", "host"),
    ("POST", "/reservations/{request}/cancel/", "guest"),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("method", "path", "owner"), OWNERS_ONLY)
def test_a_listing_or_request_is_changed_by_its_owner_only(
    client, world, actor, method, path, owner
):
    listing, request = world["listing"], world["request"]
    url = path.format(listing=listing.pk, request=request.pk)
    form = {"title": "Taken over", "description": "x", "location": "x", "nightly_price": "1"}

    client = client_for(client, world, actor)
    response = client.post(url, form) if method == "POST" else client.get(url)

    if actor == "visitor":
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    elif actor == owner:
        assert response.status_code in (200, 302)
        return
    else:
        assert response.status_code == 404
    assert Property.objects.filter(pk=listing.pk, title="Cabin by the lake").exists()
    assert Reservation.objects.get(pk=request.pk).status == Reservation.Status.PENDING


SIMULATOR = [
    ("GET", "/phone/"),
    ("GET", "/phone/messages?number={number}"),
    ("POST", "/phone/sign"),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("method", "path"), SIMULATOR)
def test_the_simulator_is_for_staff_given_its_permissions(client, world, actor, method, path):
    number = world["people"]["host"].phone_number
    url = path.format(number=str(number).replace("+", "%2B"))
    client = client_for(client, world, actor)

    if method == "POST":
        body = json.dumps({"path": "/voice", "params": {}})
        response = client.post(url, body, content_type="application/json")
    else:
        response = client.get(url)

    assert response.status_code == (200 if actor == "staff" else 403)
    if "messages" in path and actor == "staff":
        assert "A private SMS to Hannah." in response.text


ADMIN = ["/admin/accounts/user/", "/admin/messaging/message/"]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path", ADMIN)
def test_the_admin_shows_people_and_sms_to_staff_with_the_view_permission(
    client, world, actor, path
):
    response = client_for(client, world, actor).get(path)

    if actor == "staff":
        assert response.status_code == 200
        assert "hannah@example.com" in response.text or "A private SMS" in response.text
    elif actor == "plain_staff":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")
