"""STOP, START and HELP: the carrier keywords a host or guest may text Airtng's number."""

import pytest
from django.urls import reverse

from airtng.messaging.models import Direction, Message, OptOut
from reservations.models import Reservation
from tests.conftest import days_from_now, twiml_root

INCOMING = "/reservations/incoming"
Status = Reservation.Status
# The worker is another process: it sees only what the webhook's request committed.
commits = pytest.mark.django_db(transaction=True)
HELP_TEXT = (
    "Airtng: reply accept or reject to answer a reservation request. "
    "Reply STOP to stop texts, START to get them again."
)


@pytest.fixture
def book(client, guest):
    def book(listing, check_in=10):
        client.force_login(guest)
        response = client.post(
            reverse("request_stay", args=[listing.pk]),
            {
                "check_in": days_from_now(check_in).isoformat(),
                "check_out": days_from_now(check_in + 3).isoformat(),
                "guests": 2,
                "message": "We'd love to stay!",
            },
        )
        assert response.status_code == 302, response.text
        client.logout()
        return Reservation.objects.latest("created_at", "id")

    return book


@pytest.fixture
def texts(twilio_post):
    """An SMS to Airtng's number; each a new delivery unless `sid` repeats one."""
    sids = iter(range(1, 10_000))

    def text(user, body, sid=None):
        return twilio_post(
            INCOMING,
            {
                "MessageSid": sid or f"SM{next(sids):032d}",
                "AccountSid": "AC" + "0" * 32,
                "From": str(user.phone_number),
                "To": "+15005550006",
                "Body": body,
            },
        )

    return text


def replies(response):
    return [message.text for message in twiml_root(response).iter("Message")]


def sms_to(twilio, user):
    return [sms["Body"] for sms in twilio.sent if sms["To"] == str(user.phone_number)]


def opted_out(number):
    return OptOut.objects.filter(phone_number=str(number)).exists()


STOP_WORDS = ["STOP", "stop", "Stop.", " STOPALL ", "unsubscribe", "Cancel", "END", "quit!"]
START_WORDS = ["START", "start", "Unstop", "YES", "yes"]


@pytest.mark.parametrize("word", STOP_WORDS)
def test_stop_opts_the_sender_out_with_no_reply_of_ours(twilio, host, texts, word):
    response = texts(host, word)

    assert opted_out(host.phone_number)
    assert len(twiml_root(response)) == 0


@commits
def test_after_stop_a_new_request_is_not_texted(twilio, run_worker, host, listing, book, texts):
    texts(host, "STOP")

    reservation = book(listing)
    run_worker()

    assert sms_to(twilio, host) == []
    reservation.refresh_from_db()
    assert reservation.status == Status.PENDING


@commits
def test_after_stop_a_text_queued_before_it_is_not_sent(
    twilio, run_worker, host, listing, book, texts
):
    book(listing)

    texts(host, "STOP")
    run_worker()

    assert sms_to(twilio, host) == []


def test_stop_from_a_number_we_do_not_know_is_recorded_quietly(twilio, make_user, texts):
    stranger = make_user(phone_verified=False)

    response = texts(stranger, "STOP")

    assert len(twiml_root(response)) == 0
    assert opted_out(stranger.phone_number)


def test_stop_and_start_from_a_number_that_belongs_to_no_user(db, twilio_post):
    def text(body, sid):
        return twilio_post(
            INCOMING,
            {"MessageSid": sid, "From": "+12015550987", "To": "+15005550006", "Body": body},
        )

    text("STOP", "SM" + "1" * 32)
    assert opted_out("+12015550987")

    text("START", "SM" + "2" * 32)
    assert not opted_out("+12015550987")


@pytest.mark.parametrize("word", START_WORDS)
def test_start_opts_the_sender_back_in(twilio, host, texts, word):
    texts(host, "STOP")

    response = texts(host, word)

    assert not opted_out(host.phone_number)
    assert len(twiml_root(response)) == 0


@commits
def test_yes_from_an_opted_out_host_opts_in_but_accepts_nothing(
    twilio, run_worker, host, listing, book, texts
):
    texts(host, "STOP")
    reservation = book(listing)
    run_worker()

    texts(host, "YES")
    run_worker()

    reservation.refresh_from_db()
    assert reservation.status == Status.PENDING
    # Opted back in, the host is now told about the request waiting for them.
    (offer,) = sms_to(twilio, host)
    assert offer.startswith("You have a new reservation request from Gus for Cabin by the lake")


@commits
def test_start_from_an_unverified_number_lets_its_user_verify_again(
    twilio, run_worker, make_user, login, texts
):
    changed_number = make_user(phone_verified=False)
    texts(changed_number, "STOP")
    client = login(changed_number)
    refused = client.post(reverse("send_verification_code"), follow=True)
    assert "You asked Airtng to stop texting you" in refused.text

    texts(changed_number, "START")
    client.post(reverse("send_verification_code"))
    run_worker()

    (code,) = sms_to(twilio, changed_number)
    assert code.startswith("Your Airtng code is")


@commits
def test_stop_belongs_to_the_number_not_to_whoever_has_it_now(
    twilio, run_worker, make_user, host, listing, book, texts
):
    texts(host, "STOP")
    # The host gives the number up; whoever verifies it next inherits its STOP, as at Twilio.
    host.phone_number = "+12015550876"
    host.save()

    book(listing)
    run_worker()

    assert len(sms_to(twilio, host)) == 1


def test_yes_from_an_opted_in_host_still_accepts(twilio, run_worker, host, listing, book, texts):
    reservation = book(listing)
    run_worker()

    (reply,) = replies(texts(host, "YES"))
    assert reply.startswith("You have successfully confirmed the reservation. Gus will stay")
    reservation.refresh_from_db()
    assert reservation.status == Status.CONFIRMED


@pytest.mark.parametrize("word", ["HELP", "help", "Help?", "INFO"])
def test_help_gets_the_help_text_and_decides_nothing(twilio, host, listing, book, texts, word):
    reservation = book(listing)

    assert replies(texts(host, word)) == [HELP_TEXT]
    reservation.refresh_from_db()
    assert reservation.status == Status.PENDING


def test_help_from_a_number_we_do_not_know_gets_the_help_text(twilio, make_user, texts):
    assert replies(texts(make_user(phone_verified=False), "help")) == [HELP_TEXT]


@commits
def test_a_repeated_delivery_gets_the_same_reply_and_decides_once(
    twilio, run_worker, host, guest, listing, book, texts
):
    reservation = book(listing)
    run_worker()
    sid = "SM" + "5" * 32

    first = replies(texts(host, "accept", sid=sid))
    run_worker()
    again = replies(texts(host, "accept", sid=sid))
    run_worker()

    assert first == again
    assert first[0].startswith("You have successfully confirmed the reservation.")
    reservation.refresh_from_db()
    assert reservation.status == Status.CONFIRMED
    (request_sent, outcome) = sms_to(twilio, guest)
    assert outcome.startswith("Your recent request to stay at Cabin by the lake was confirmed.")
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1


def test_a_repeated_stop_delivery_after_start_does_not_opt_out_again(twilio, host, texts):
    sid = "SM" + "6" * 32
    texts(host, "STOP", sid=sid)
    texts(host, "START")

    response = texts(host, "STOP", sid=sid)

    assert not opted_out(host.phone_number)
    assert len(twiml_root(response)) == 0
