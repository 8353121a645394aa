"""Booking → one SMS to the host → the host's reply decides → the guest is told → next."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from airtng.messaging.models import Direction, Message
from reservations import services
from reservations.models import Reservation
from tests.conftest import days_from_now, stay_dates

Status = Reservation.Status
INCOMING = "/reservations/incoming"


def reply_text(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Response"
    return [message.text for message in root.iter("Message")]


def bodies_to(twilio, user):
    return [sms["Body"] for sms in twilio.sent if sms["To"] == str(user.phone_number)]


@pytest.fixture
def book(client, guest):
    def book(listing, check_in=10, nights=3, guests=2, message="We'd love to stay!", by=guest):
        client.force_login(by)
        response = client.post(
            reverse("request_stay", args=[listing.pk]),
            {
                "check_in": days_from_now(check_in).isoformat(),
                "check_out": days_from_now(check_in + nights).isoformat(),
                "guests": guests,
                "message": message,
            },
        )
        assert response.status_code == 302, response.text
        client.logout()
        return Reservation.objects.latest("created_at", "id")

    return book


@pytest.fixture
def host_replies(twilio_post, host):
    sids = iter(range(1, 10_000))

    def reply(body, from_number=None):
        return twilio_post(
            INCOMING,
            {
                "MessageSid": f"SM{next(sids):032d}",
                "AccountSid": "AC" + "0" * 32,
                "From": str(from_number or host.phone_number),
                "To": "+15005550006",
                "Body": body,
                "NumMedia": "0",
            },
        )

    return reply


def test_booking_texts_the_host_exactly_once_with_the_request(
    twilio, run_worker, book, listing, host, guest
):
    reservation = book(listing, message="Arriving late, if that's ok.")

    run_worker()

    to_host = [sms for sms in twilio.sent if sms["To"] == str(host.phone_number)]
    assert to_host == [
        {
            "To": str(host.phone_number),
            "From": "+15005550006",
            "Body": (
                f"You have a new reservation request from Gus for Cabin by the lake, "
                f"{stay_dates(reservation)}, 2 guests:\n"
                '"Arriving late, if that\'s ok."\n'
                "Reply accept or reject."
            ),
            "SmartEncoded": "true",
        }
    ]
    message = Message.objects.get(to=str(host.phone_number))
    assert (message.status, message.reservation, message.attempts) == ("queued", reservation, 1)
    assert message.sid.startswith("SM")


def test_a_second_request_waits_until_the_first_is_answered(
    twilio, run_worker, book, listing, make_user, host_replies, host
):
    first = book(listing, check_in=10)
    second = book(listing, check_in=20, by=make_user(first_name="Zoe"))
    run_worker()
    assert len(bodies_to(twilio, host)) == 1

    assert reply_text(host_replies("accept")) == [
        "You have successfully confirmed the reservation. "
        f"Gus will stay at Cabin by the lake, {stay_dates(first)}, 2 guests."
    ]
    run_worker()

    first.refresh_from_db()
    assert first.status == Status.CONFIRMED
    assert first.decided_via == Reservation.Channel.SMS
    assert bodies_to(twilio, first.guest)[-1].startswith(
        "Your recent request to stay at Cabin by the lake was confirmed."
    )
    assert bodies_to(twilio, host)[-1].startswith("You have a new reservation request from Zoe for")

    assert reply_text(host_replies("reject")) == [
        "You have successfully rejected the reservation. "
        f"Zoe will be told that Cabin by the lake is not free {stay_dates(second)}."
    ]
    run_worker()
    second.refresh_from_db()
    assert second.status == Status.REJECTED
    assert bodies_to(twilio, second.guest)[-1] == (
        "Your recent request to stay at Cabin by the lake was rejected. "
        f"{stay_dates(second)}, 2 guests. "
        "Nothing was booked: you can request another place on Airtng."
    )
    assert len(bodies_to(twilio, host)) == 2


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("accept", Status.CONFIRMED),
        (" Yes! ", Status.CONFIRMED),
        ("ACCEPTED.", Status.CONFIRMED),
        ("y", Status.CONFIRMED),
        ("Confirm", Status.CONFIRMED),
        ("reject", Status.REJECTED),
        ("No.", Status.REJECTED),
        ("n", Status.REJECTED),
        ("  decline!!", Status.REJECTED),
        ("Rejected", Status.REJECTED),
    ],
)
def test_the_hosts_words_decide(twilio, run_worker, book, listing, host_replies, body, status):
    reservation = book(listing)
    run_worker()

    host_replies(body)

    reservation.refresh_from_db()
    assert reservation.status == status


@pytest.mark.parametrize("body", ["maybe", "", "accept please", "🏠", "x" * 1600, "yes\x00no"])
def test_other_words_get_help_and_change_nothing(
    twilio, run_worker, book, listing, host_replies, body
):
    reservation = book(listing)
    run_worker()

    replies = reply_text(host_replies(body))

    reservation.refresh_from_db()
    assert reservation.status == Status.PENDING
    assert replies == [
        f"Reply accept or reject to the request from Gus for Cabin by the lake, "
        f"{stay_dates(reservation)}, 2 guests."
    ]


def test_a_host_with_nothing_pending_is_told_so(twilio, host, host_replies):
    assert reply_text(host_replies("accept")) == [
        "Sorry, it looks like you don't have any reservations to respond to."
    ]


@pytest.mark.parametrize("from_number", ["+12025550999", "not-a-number", "", "+1"])
def test_an_unknown_number_is_told_so(twilio, book, listing, host_replies, from_number):
    reservation = book(listing)

    replies = reply_text(host_replies("accept", from_number=from_number or " "))

    assert replies == ["Sorry, it looks like you don't have any reservations to respond to."]
    reservation.refresh_from_db()
    assert reservation.status == Status.PENDING


def test_an_unverified_host_is_neither_texted_nor_matched(
    twilio, run_worker, book, listing, host, host_replies
):
    host.phone_verified = False
    host.save()
    reservation = book(listing)
    run_worker()

    replies = reply_text(host_replies("accept"))

    assert bodies_to(twilio, host) == []
    assert replies == ["Sorry, it looks like you don't have any reservations to respond to."]
    reservation.refresh_from_db()
    assert reservation.status == Status.PENDING


def test_deciding_on_the_web_texts_the_guest_and_offers_the_next(
    twilio, run_worker, book, listing, make_user, login, host, guest
):
    first = book(listing, check_in=10)
    book(listing, check_in=20, by=make_user(first_name="Zoe"))

    login(host).post(reverse("reject_reservation", args=[first.pk]))
    run_worker()

    assert [body[:40] for body in bodies_to(twilio, host)] == [
        "You have a new reservation request from ",
        "You have a new reservation request from ",
    ]
    assert "from Zoe" in bodies_to(twilio, host)[1]
    assert bodies_to(twilio, guest)[-1].startswith(
        "Your recent request to stay at Cabin by the lake was rejected."
    )


def test_cancelling_the_outstanding_request_tells_the_host_and_offers_the_next(
    twilio, run_worker, book, listing, make_user, login, guest, host
):
    first = book(listing, check_in=10)
    book(listing, check_in=20, by=make_user(first_name="Zoe"))

    login(guest).post(reverse("cancel_reservation", args=[first.pk]))
    run_worker()

    to_host = bodies_to(twilio, host)
    assert len(to_host) == 3
    assert to_host[1].startswith("Gus has cancelled their request to stay at Cabin by the lake")
    assert "from Zoe" in to_host[2]


def test_the_oldest_pending_request_is_offered_first(
    twilio, run_worker, listing, host, make_user, make_reservation
):
    now = timezone.now()
    make_reservation(
        listing,
        make_user(first_name="Oldest"),
        status=Status.REJECTED,
        created_at=now - timedelta(minutes=3),
    )
    # Two requests arrive while the host cannot be texted; then a third once they can.
    host.phone_verified = False
    host.save()
    for name, age in (("Second", 1), ("First", 2)):
        make_reservation(
            listing, make_user(first_name=name), created_at=now - timedelta(minutes=age)
        )
    host.phone_verified = True
    host.save()
    make_reservation(listing, make_user(first_name="Third"))
    run_worker()

    assert len(bodies_to(twilio, host)) == 1
    assert "from First" in bodies_to(twilio, host)[0]


def test_every_sms_is_logged_both_ways(twilio, run_worker, book, listing, host_replies, guest):
    reservation = book(listing)
    run_worker()
    host_replies("yes")
    run_worker()

    directions = list(Message.objects.order_by("id").values_list("direction", "status", "to"))
    host_number, guest_number = str(reservation.host.phone_number), str(guest.phone_number)
    assert directions == [
        (Direction.OUTBOUND, "queued", guest_number),  # the request was sent
        (Direction.OUTBOUND, "queued", host_number),  # the host is asked
        (Direction.INBOUND, "received", "+15005550006"),
        (Direction.OUTBOUND, "queued", guest_number),  # the answer
    ]
    inbound = Message.objects.get(direction=Direction.INBOUND)
    assert (inbound.body, inbound.user, inbound.reply) == (
        "yes",
        reservation.host,
        "You have successfully confirmed the reservation. "
        f"Gus will stay at Cabin by the lake, {stay_dates(reservation)}, 2 guests.",
    )


def test_a_yes_sent_before_the_next_request_was_offered_does_not_decide_it(
    twilio, run_worker, book, listing, make_user, host
):
    book(listing, check_in=10)
    run_worker()
    typed_at = timezone.now()
    second = book(listing, check_in=20, by=make_user(first_name="Zoe"))
    services.answer_host_sms(sid="SM" + "1" * 32, from_number=str(host.phone_number), body="yes")
    run_worker()

    # The host's second "yes" left their phone before they were asked about Zoe's request.
    reply = services.answer_host_sms(
        sid="SM" + "2" * 32, from_number=str(host.phone_number), body="yes", received_at=typed_at
    )

    second.refresh_from_db()
    assert second.status == Status.PENDING
    assert reply.startswith("Reply accept or reject to the request from Zoe")


def test_a_yes_before_twilio_took_the_next_offer_gets_help_and_decides_nothing(
    twilio, run_worker, book, listing, make_user, host, host_replies
):
    first = book(listing, check_in=10)
    second = book(listing, check_in=20, by=make_user(first_name="Zoe"))
    run_worker()
    host_replies("yes")  # decides the first; the SMS about Zoe's request waits in the outbox

    quick_yes = reply_text(host_replies("yes"))
    run_worker()
    later_yes = reply_text(host_replies("yes"))

    first.refresh_from_db()
    second.refresh_from_db()
    assert quick_yes[0].startswith("Reply accept or reject to the request from Zoe")
    assert later_yes[0].startswith("You have successfully confirmed the reservation. Zoe")
    assert (first.status, second.status) == (Status.CONFIRMED, Status.CONFIRMED)
