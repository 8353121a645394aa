"""A pool too small for a new pair: the request still goes through, on the web only, and
staff are warned."""

import pytest
from django.urls import reverse

from reservations import services
from reservations.conversations.models import Conversation
from tests.conftest import grant
from tests.conversations.conftest import AIRTNG, PROXY_A


@pytest.fixture
def one_number(settings):
    settings.TWILIO_PROXY_NUMBERS = [PROXY_A]


@pytest.fixture
def two_stays(one_number, guest, listing, make_user, make_property, request_stay):
    ravi = make_user(first_name="Ravi")
    first = request_stay(guest, listing)
    second = request_stay(guest, make_property(ravi, title="Beach bungalow"))
    return first, second, ravi


def test_the_pair_the_pool_cannot_serve_gets_no_number(two_stays):
    first, second, _ = two_stays

    assert Conversation.objects.get(reservation=first).proxy_number == PROXY_A
    assert Conversation.objects.get(reservation=second).proxy_number == ""


def test_its_messages_are_announced_from_airtngs_number(two_stays, guest, login):
    _, second, ravi = two_stays

    login(guest).post(reverse("conversation", args=[second.pk]), {"body": "Towels?"})

    [sms] = ravi.messages.filter(body__contains="sent you a message")
    assert sms.from_number == AIRTNG
    assert "Towels?" not in sms.body


@pytest.mark.parametrize(
    ("permission", "page"),
    [
        ("conversations.view_conversation", "admin:conversations_conversation_changelist"),
        ("reservations.view_reservation", "admin:reservations_reservation_changelist"),
    ],
)
def test_staff_are_warned_in_the_admin(two_stays, make_user, client, permission, page):
    client.force_login(grant(make_user(is_staff=True), permission))

    shown = client.get(reverse(page)).content.decode()

    assert "1 open conversation has no proxy number" in shown
    assert "Buy more numbers and add them to TWILIO_PROXY_NUMBERS." in shown


def test_it_gets_the_number_once_the_other_conversation_closes(two_stays, guest):
    first, second, _ = two_stays

    services.cancel_reservation(reservation=first, guest=guest)
    services.sweep_requests()

    assert Conversation.objects.get(reservation=second).proxy_number == PROXY_A


def test_without_proxy_numbers_a_request_has_no_number(guest, listing, request_stay):
    stay = request_stay(guest, listing)

    assert not Conversation.objects.filter(reservation=stay).exclude(proxy_number="").exists()


def test_an_ended_request_read_on_the_web_is_not_counted_as_waiting(
    two_stays, guest, make_user, client, login
):
    first, second, _ = two_stays
    services.cancel_reservation(reservation=second, guest=guest)
    login(guest).get(reverse("trip", args=[second.pk]))  # the page notes the reader
    staff = grant(make_user(is_staff=True), "conversations.view_conversation")
    client.force_login(staff)

    page = client.get(reverse("admin:conversations_conversation_changelist")).content.decode()

    assert "has no proxy number" not in page
