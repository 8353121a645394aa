"""Who may read or change whose data: every such URL, for two hosts, two guests, a visitor,
and staff with and without the permissions it needs."""

import pytest

from airtng.messaging.services import queue_sms
from ivr import revisions
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


# (method, path, form, what staff given the simulator's permissions get): each of the
# simulator's JSON endpoints, past its gate for them alone.
SIMULATOR = [
    ("GET", "/phone/", {}, 200),
    ("GET", "/phone/?dial=/ivr/welcome", {}, 200),
    ("GET", "/phone/messages?number={number}", {}, 200),
    ("GET", "/phone/calls?number={number}", {}, 200),
    ("POST", "/phone/sms/send", {"number": "{number}", "body": "Hello"}, 200),
    ("POST", "/phone/sms/status", {"number": "{number}", "sid": "SM0", "status": "failed"}, 404),
    ("POST", "/phone/call/start", {"number": "{number}", "line": "ivr"}, 200),
    ("POST", "/phone/call/start", {"number": "{number}", "path": "/voice"}, 200),
    ("POST", "/phone/call/answer", {"number": "{number}"}, 409),
    ("POST", "/phone/call/refuse", {"number": "{number}", "status": "busy"}, 409),
    ("POST", "/phone/call/CA0/press", {"key": "1"}, 404),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("method", "path", "form", "staff_gets"), SIMULATOR)
def test_the_simulator_is_for_staff_given_its_permissions(
    client, world, actor, method, path, form, staff_gets
):
    number = str(world["people"]["host"].phone_number)
    url = path.format(number=number.replace("+", "%2B"))
    form = {key: value.format(number=number) for key, value in form.items()}
    client = client_for(client, world, actor)

    response = client.post(url, form) if method == "POST" else client.get(url)

    assert response.status_code == (staff_gets if actor == "staff" else 403)
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


def test_staff_read_a_numbers_conversation_with_the_sms_logs_view_permission(client, world):
    url = f"/admin/messaging/message/conversation/{world['people']['host'].phone_number}/"

    for actor in ACTORS:
        client.logout()
        response = client_for(client, world, actor).get(url)

        if actor == "staff":
            assert response.status_code == 200
            assert "A private SMS to Hannah." in response.text
        elif actor == "plain_staff":
            assert response.status_code == 403
        else:
            assert response.status_code == 302
            assert response.url.startswith("/admin/login/")


# Who changes the phone tree: staff who may add menus start a draft; only staff given
# ivr.publish_revision make a revision live, by Publish or Revert.
TREE_ACTORS = [*ACTORS, "editor", "publisher"]


@pytest.fixture
def tree_staff(world, make_user):
    world["people"]["editor"] = grant(
        make_user(first_name="Ed", is_staff=True), "ivr.view_revision", "ivr.add_menu"
    )
    world["people"]["publisher"] = grant(
        make_user(first_name="Pia", is_staff=True), "ivr.view_revision", "ivr.publish_revision"
    )
    return world


def refused_to(actor, response):
    if actor in ("visitor", "host", "other_host", "guest", "other_guest"):
        return response.status_code == 302 and response.url.startswith("/admin/login/")
    return response.status_code == 403


@pytest.mark.parametrize("actor", TREE_ACTORS)
def test_a_draft_is_started_by_staff_who_may_add_menus(client, tree_staff, actor):
    response = client_for(client, tree_staff, actor).post("/admin/ivr/revision/start-draft/")

    assert (revisions.draft_revision() is not None) is (actor == "editor")
    assert actor == "editor" or refused_to(actor, response)


@pytest.mark.parametrize("actor", TREE_ACTORS)
def test_a_draft_is_published_by_staff_given_the_publish_permission(client, tree_staff, actor):
    draft = revisions.start_draft()

    response = client_for(client, tree_staff, actor).post(
        f"/admin/ivr/revision/{draft.pk}/publish/"
    )

    assert (revisions.live_revision().pk == draft.pk) is (actor == "publisher")
    assert actor == "publisher" or refused_to(actor, response)


@pytest.mark.parametrize("actor", TREE_ACTORS)
def test_a_revision_is_reverted_to_by_staff_given_the_publish_permission(client, tree_staff, actor):
    earlier = revisions.live_revision()
    assert revisions.publish(revision=revisions.start_draft(), by=None) == []

    response = client_for(client, tree_staff, actor).post(
        f"/admin/ivr/revision/{earlier.pk}/revert/"
    )

    assert (revisions.live_revision().pk == earlier.pk) is (actor == "publisher")
    assert actor == "publisher" or refused_to(actor, response)
