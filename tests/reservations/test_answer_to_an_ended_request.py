"""A host who answers a request that has since ended, by SMS or on the phone, hears what ended
it: the guest cancelled, it expired, or Airtng declined it ("A request's life")."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from reservations.models import Reservation
from tests.conftest import days_from_now, stay_dates, twiml_root
from tests.ivr.test_voice_line import DECISION, VOICE, attested_call, call_from, said

Status = Reservation.Status


@pytest.fixture
def request_(twilio, run_worker, listing, guest, make_reservation):
    """Gus's request, texted to Hannah (Twilio has taken the SMS)."""
    reservation = make_reservation(listing, guest)
    run_worker()
    return reservation


def as_(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def answer(request_, host, twilio_post):
    """Start answering on `channel`; the returned callable presses 1 (or `key`) or texts
    "yes", and returns what the host hears or reads first.

    On the phone the request is read (the Gather's action signed) before it ends."""

    def start(channel, key="1"):
        if channel == "phone":
            root = twiml_root(twilio_post(VOICE, attested_call(host.phone_number)))
            action = root.find("./Gather").attrib["action"]
            assert action.startswith(f"{DECISION}?state=")

            def press():
                return said(
                    twiml_root(twilio_post(action, call_from(host.phone_number, Digits=key)))
                )

            return press

        def text_yes():
            sms = {"MessageSid": "SM" + "7" * 32, "From": str(host.phone_number), "Body": "yes"}
            return [twiml_root(twilio_post("/reservations/incoming", sms)).find("./Message").text]

        return text_yes

    return start


CHANNELS = ["sms", "phone"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_host_answering_a_request_the_guest_cancelled_is_told_so(
    answer, request_, guest, run_worker, channel
):
    finish = answer(channel)
    as_(guest).post(reverse("cancel_reservation", args=[request_.pk]))
    run_worker()

    heard = finish()

    assert heard[0] == (
        f"Gus has cancelled their request to stay at Cabin by the lake, {stay_dates(request_)}, "
        "so there is nothing to answer."
    )
    request_.refresh_from_db()
    assert request_.status == Status.CANCELLED


@pytest.mark.parametrize("key", ["1", "2", "3"])
def test_any_key_pressed_for_a_request_the_guest_cancelled_says_so_and_goodbye(
    answer, request_, guest, key
):
    press = answer("phone", key)
    as_(guest).post(reverse("cancel_reservation", args=[request_.pk]))

    assert press() == [
        f"Gus has cancelled their request to stay at Cabin by the lake, {stay_dates(request_)}, "
        "so there is nothing to answer.",
        "Goodbye!",
    ]


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_host_answering_an_expired_request_is_told_it_expired(
    answer, request_, settings, run_worker, channel
):
    finish = answer(channel)
    settings.HOST_REPLY_WINDOW_MINUTES = 0
    call_command("sweep_requests", verbosity=0)
    run_worker()

    heard = finish()

    assert heard[0] == (
        f"The request from Gus to stay at Cabin by the lake, {stay_dates(request_)}, expired "
        "before you answered, so there is nothing to answer."
    )
    request_.refresh_from_db()
    assert request_.status == Status.EXPIRED


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_host_answering_a_request_declined_by_an_overlapping_stay_is_told_why(
    answer, request_, host, listing, make_user, make_reservation, run_worker, channel
):
    other = make_reservation(
        listing,
        make_user(first_name="Zoe"),
        check_in=days_from_now(11),
        check_out=days_from_now(12),
    )
    finish = answer(channel)
    as_(host).post(reverse("accept_reservation", args=[other.pk]))
    run_worker()

    heard = finish()

    assert heard[0] == (
        f"The request from Gus to stay at Cabin by the lake, {stay_dates(request_)}, was "
        "declined: those nights were booked by another guest, so there is nothing to answer."
    )
    request_.refresh_from_db()
    other.refresh_from_db()
    assert (request_.status, other.status) == (Status.DECLINED, Status.CONFIRMED)


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_host_answering_a_request_of_a_withdrawn_listing_is_told_why(
    answer, request_, host, listing, run_worker, channel
):
    finish = answer(channel)
    as_(host).post(reverse("property_withdraw", args=[listing.pk]))
    run_worker()

    heard = finish()

    assert heard[0] == (
        f"The request from Gus to stay at Cabin by the lake, {stay_dates(request_)}, was "
        "declined: you withdrew the listing, so there is nothing to answer."
    )
    request_.refresh_from_db()
    assert request_.status == Status.DECLINED


def test_pressing_1_for_a_request_the_host_already_rejected_says_it_was_decided(
    answer, request_, host
):
    press = answer("phone")
    as_(host).post(reverse("reject_reservation", args=[request_.pk]))

    assert press() == ["This request was already decided.", "Goodbye!"]
