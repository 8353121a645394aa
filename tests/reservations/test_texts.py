"""What Airtng texts about a request says what people need, in words and dates they read."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from reservations import texts
from reservations.models import Reservation
from tests.conftest import days_from_now, readable

INCOMING = "/reservations/incoming"

CHECK_IN, CHECK_OUT = days_from_now(10), days_from_now(13)
DATES = f"{readable(CHECK_IN)}–{readable(CHECK_OUT)}"


@pytest.fixture
def book(client, guest, listing):
    def book(message="We'd love to stay!"):
        client.force_login(guest)
        response = client.post(
            reverse("request_stay", args=[listing.pk]),
            {
                "check_in": CHECK_IN.isoformat(),
                "check_out": CHECK_OUT.isoformat(),
                "guests": 2,
                "message": message,
            },
        )
        assert response.status_code == 302, response.text
        client.logout()
        return Reservation.objects.latest("created_at", "id")

    return book


@pytest.fixture
def host_replies(twilio_post, host):
    def reply(body):
        response = twilio_post(
            INCOMING,
            {
                "MessageSid": "SM" + "7" * 32,
                "From": str(host.phone_number),
                "To": "+15005550006",
                "Body": body,
            },
        )
        assert response.status_code == 200
        return response.text

    return reply


def bodies_to(twilio, user):
    return [sms["Body"] for sms in twilio.sent if sms["To"] == str(user.phone_number)]


def test_the_host_reads_the_dates_as_dates(twilio, run_worker, book, host):
    book()
    run_worker()

    (offer,) = bodies_to(twilio, host)
    assert f"Cabin by the lake, {DATES}, 2 guests" in offer
    assert CHECK_IN.isoformat() not in offer


def test_a_long_message_is_shortened_in_the_sms_and_shown_whole_on_the_web(
    twilio, run_worker, book, host, login
):
    message = "We are a family of four and would love to stay by the lake. " * 16
    book(message=message[:1000])
    run_worker()

    (offer,) = bodies_to(twilio, host)
    quoted = offer.split('"')[1]
    assert 150 < len(quoted) <= 160
    assert quoted.endswith("…")
    assert message.startswith(quoted[:-1])
    # About three SMS segments once Twilio's smart encoding has replaced the dash and "…".
    assert len(offer) <= 3 * 153
    assert message[:1000].strip() in login(host).get(reverse("host_requests")).text


def test_a_short_message_is_quoted_whole(twilio, run_worker, book, host):
    book(message="Arriving late, if that's ok.")
    run_worker()

    (offer,) = bodies_to(twilio, host)
    assert '"Arriving late, if that\'s ok."' in offer


def test_every_sms_is_sent_with_smart_encoding(twilio, run_worker, book):
    book()
    run_worker()

    # The guest's "request sent" and the host's request.
    assert [sms["SmartEncoded"] for sms in twilio.sent] == ["true", "true"]


def test_the_host_is_told_whom_and_which_dates_they_confirmed(
    twilio, run_worker, book, host_replies
):
    book()
    run_worker()

    reply = host_replies("accept")

    assert (
        "You have successfully confirmed the reservation. "
        f"Gus will stay at Cabin by the lake, {DATES}, 2 guests."
    ) in reply


def test_the_host_is_told_whom_and_which_dates_they_rejected(
    twilio, run_worker, book, host_replies
):
    book()
    run_worker()

    reply = host_replies("reject")

    assert (
        "You have successfully rejected the reservation. "
        f"Gus will be told that Cabin by the lake is not free {DATES}."
    ) in reply


def test_the_guest_hears_the_property_the_dates_and_what_next_when_confirmed(
    twilio, run_worker, book, guest, host_replies
):
    book()
    run_worker()
    host_replies("yes")
    run_worker()

    assert bodies_to(twilio, guest)[1:] == [
        "Your recent request to stay at Cabin by the lake was confirmed. "
        f"{DATES}, 2 guests. Hannah expects you; your trip is under My trips on Airtng."
    ]


def test_the_guest_hears_the_property_the_dates_and_what_next_when_rejected(
    twilio, run_worker, book, guest, host_replies
):
    book()
    run_worker()
    host_replies("no")
    run_worker()

    assert bodies_to(twilio, guest)[1:] == [
        "Your recent request to stay at Cabin by the lake was rejected. "
        f"{DATES}, 2 guests. Nothing was booked: you can request another place on Airtng."
    ]


@pytest.mark.parametrize(
    ("language", "check_in"),
    [("en", "Fri, Dec 11"), ("ja", "12月11日(金)"), ("fr", "11 décembre")],
)
def test_dates_are_written_in_the_language_of_the_text(
    guest, listing, make_reservation, language, check_in
):
    reservation = make_reservation(
        listing, guest, check_in=date(2026, 12, 11), check_out=date(2026, 12, 14)
    )

    with translation.override(language):
        assert check_in in texts.pending_help(reservation)
