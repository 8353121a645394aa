"""The thread on the trip and request pages: only its two people read and write it, and the
one not reading it is texted."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from airtng.messaging.models import Direction, Message
from reservations import services
from reservations.models import Reservation
from tests.conftest import grant
from tests.conversations.conftest import AIRTNG, PROXY_A

JSON = {"Accept": "application/json"}


def url(reservation):
    return reverse("conversation", args=[reservation.pk])


def write(client, reservation, body):
    return client.post(url(reservation), {"body": body}, headers=JSON)


def thread(client, reservation):
    response = client.get(url(reservation), headers=JSON)
    assert response.status_code == 200
    return [(said["author"], said["body"], said["mine"]) for said in response.json()["messages"]]


def texts_to(user):
    return list(
        Message.objects.filter(direction=Direction.OUTBOUND, to=str(user.phone_number))
        .exclude(body__startswith="Your request")
        .exclude(body__startswith="You have a new reservation request")
        .order_by("id")
        .values_list("from_number", "body")
    )


@pytest.fixture
def stay(guest, listing, request_stay):
    return request_stay(guest, listing, message="Is the canoe free to use?")


def test_both_read_the_same_thread_newest_last(stay, guest, host, client):
    client.force_login(host)
    assert write(client, stay, "Yes, paddles are in the shed.").status_code == 200
    client.force_login(guest)
    write(client, stay, "Wonderful, thanks!")

    assert thread(client, stay) == [
        ("Gus", "Is the canoe free to use?", True),
        ("Hannah", "Yes, paddles are in the shed.", False),
        ("Gus", "Wonderful, thanks!", True),
    ]
    client.force_login(host)
    assert [body for _, body, _ in thread(client, stay)][-1] == "Wonderful, thanks!"


def test_the_pages_show_the_thread_and_its_form(stay, guest, host, login):
    trip = login(guest).get(reverse("trip", args=[stay.pk])).content.decode()
    assert "Messages with Hannah" in trip
    assert "Is the canoe free to use?" in trip
    assert 'name="body"' in trip
    assert "conversations/thread.js" in trip

    request = login(host).get(reverse("host_request", args=[stay.pk])).content.decode()
    assert "Messages with Gus" in request


def test_a_form_post_without_script_returns_to_the_page(stay, guest, login):
    response = login(guest).post(url(stay), {"body": "Hello"})

    assert response.status_code == 302
    assert response["Location"] == reverse("trip", args=[stay.pk]) + "#conversation"


@pytest.mark.parametrize("method", ["get", "post"])
def test_anyone_else_gets_404(stay, make_user, make_property, login, method):
    other_host = make_user(first_name="Ravi")
    make_property(other_host)
    for someone in (make_user(first_name="Mei"), other_host):
        response = getattr(login(someone), method)(
            url(stay), {"body": "hi"} if method == "post" else None
        )
        assert response.status_code == 404
    assert Message.objects.filter(body__contains="hi").count() == 0


def test_a_visitor_is_sent_to_log_in(stay, client):
    assert client.get(url(stay)).status_code == 302


def test_without_a_proxy_the_other_is_told_there_is_a_message_not_what(
    stay, guest, host, login, settings
):
    settings.PUBLIC_BASE_URL = "https://airtng.example.com"
    write(login(guest), stay, "My door code question is private")

    [(sender, body)] = texts_to(host)
    assert sender == AIRTNG
    assert "door code" not in body
    assert body == (
        "Gus sent you a message about Cabin by the lake on Airtng. Read it and reply at "
        f"https://airtng.example.com/reservations/requests/{stay.pk}/"
    )


def test_with_a_proxy_the_other_gets_the_whole_message_from_it(
    proxy_numbers, guest, host, listing, request_stay, login
):
    stay = request_stay(guest, listing)

    write(login(host), stay, "Check-in is from 3 pm.")

    assert texts_to(guest) == [(PROXY_A, "Hannah: Check-in is from 3 pm.")]


def test_someone_on_the_page_is_not_texted(stay, guest, host, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(host)
        thread(client, stay)  # the host's page polls
        clock.shift(timedelta(seconds=20))
        client.force_login(guest)
        write(client, stay, "Are pets allowed?")
        assert texts_to(host) == []

        clock.shift(timedelta(seconds=31))  # the host's page stopped asking
        write(client, stay, "It's a small dog.")
    assert [body for _, body in texts_to(host)] == [
        "Gus sent you a message about Cabin by the lake. Read it and reply on Airtng."
    ]


def test_an_empty_message_is_refused(stay, guest, login):
    response = write(login(guest), stay, "   ")

    assert response.status_code == 400
    assert response.json() == {"error": "Write a message first."}


def test_a_too_long_message_is_refused(stay, guest, login):
    response = write(login(guest), stay, "x" * 1001)

    assert response.status_code == 400
    assert "at most 1000 characters" in response.json()["error"]


def test_a_thread_whose_request_ended_is_read_only(stay, guest, host, login):
    services.decide_reservation(reservation=stay, accepted=False, via=Reservation.Channel.WEB)
    client = login(guest)

    assert write(client, stay, "Why?").status_code == 400
    assert client.get(url(stay), headers=JSON).json()["open"] is False
    page = client.get(reverse("trip", args=[stay.pk])).content.decode()
    assert "This conversation has ended. For help, contact Airtng support at" in page
    assert 'name="body"' not in page


def test_the_message_is_written_in_the_readers_language(stay, guest, host, login):
    host.language = "ja"
    host.save(update_fields=["language"])

    write(login(guest), stay, "Hello")

    [(_, body)] = texts_to(host)
    assert body == (
        "GusさんからCabin by the lakeについてメッセージが届きました。"
        "Airtngでお読みいただき、ご返信ください。"
    )


def test_staff_read_it_in_the_admin_not_on_the_web(stay, guest, make_user, login):
    write(login(guest), stay, "Is there a crib?")
    staff = grant(make_user(is_staff=True), "conversations.view_conversation")
    client = login(staff)

    assert client.get(url(stay), headers=JSON).status_code == 404
    page = client.get(reverse("admin:conversations_conversation_change", args=[stay.pk]))
    assert page.status_code == 200
    assert "Is there a crib?" in page.content.decode()


def test_staff_without_the_permission_cannot_read_it_in_the_admin(stay, guest, make_user, login):
    write(login(guest), stay, "Is there a crib?")
    client = login(make_user(is_staff=True))

    page = client.get(reverse("admin:conversations_conversation_change", args=[stay.pk]))

    assert page.status_code == 403
