"""Each reservation has one timeline: the request, every SMS and call about it, the decision.

The guest reads it on the trip, the host on the request, staff in the admin; nobody else.
"""

import re
from html import unescape
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from airtng.messaging.models import Direction, Message
from airtng.messaging.models import Status as SmsStatus
from ivr.models import Call
from reservations.models import Reservation
from reservations.services.asking import decision_link
from tests.conftest import days_from_now

INCOMING = "/reservations/incoming"
# The worker is another process: it sees only what the webhooks' requests committed.
commits = pytest.mark.django_db(transaction=True)


@pytest.fixture
def book(client, guest, listing):
    def book():
        client.force_login(guest)
        response = client.post(
            reverse("request_stay", args=[listing.pk]),
            {
                "check_in": days_from_now(10).isoformat(),
                "check_out": days_from_now(13).isoformat(),
                "guests": 2,
                "message": "We'd love to stay!",
            },
        )
        assert response.status_code == 302, response.text
        client.logout()
        return Reservation.objects.latest("created_at", "id")

    return book


@pytest.fixture
def host_texts(twilio_post, host):
    def text(body):
        return twilio_post(
            INCOMING,
            {
                "MessageSid": "SM" + "8" * 32,
                "From": str(host.phone_number),
                "To": "+15005550006",
                "Body": body,
            },
        )

    return text


def timeline_of(response):
    """The timeline's entries as a reader sees them: one line of text per entry."""
    assert response.status_code == 200, response.status_code
    html = response.text[response.text.index('<ol class="timeline">') :]
    html = html[: html.index("</ol>")]
    entries = re.findall(r"<li[^>]*>(.*?)</li>", html, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", entry)).split()) for entry in entries]


@commits
def test_guest_and_host_see_the_same_story_of_a_request_decided_by_sms(
    twilio, run_worker, book, host_texts, twilio_post, login, guest, host
):
    reservation = book()
    run_worker()
    offer = Message.objects.get(to=str(host.phone_number))
    twilio_post("/sms/status", {"MessageSid": offer.sid, "MessageStatus": "delivered"})
    host_texts("accept")
    run_worker()

    for_guest = timeline_of(login(guest).get(reverse("trip", args=[reservation.pk])))
    for_host = timeline_of(login(host).get(reverse("host_request", args=[reservation.pk])))

    assert for_guest == for_host
    requested, request_sent, to_host, from_host, decided, to_guest, reply = for_guest
    assert "Requested by Gus" in requested
    assert "SMS to Gus" in request_sent
    assert "was sent to Hannah" in request_sent
    assert "SMS to Hannah" in to_host
    assert "Delivered" in to_host
    assert "You have a new reservation request from Gus" in to_host
    assert "SMS from Hannah" in from_host
    assert "accept" in from_host
    assert "Confirmed via SMS" in decided
    assert "Reply to Hannah" in reply
    assert "You have successfully confirmed the reservation." in reply
    assert "SMS to Gus" in to_guest
    assert "Your recent request to stay at Cabin by the lake was confirmed." in to_guest
    assert "Queued at Twilio" in to_guest


@commits
def test_a_decision_by_phone_shows_the_call(
    twilio, run_worker, book, twilio_post, login, guest, host
):
    reservation = book()
    run_worker()
    call = {
        "CallSid": "CA" + "2" * 32,
        "From": str(host.phone_number),
        "StirVerstat": "TN-Validation-Passed-A",
    }
    gather = ElementTree.fromstring(twilio_post("/voice", call).content).find("./Gather")
    twilio_post(gather.get("action"), {**call, "Digits": "2"})

    entries = timeline_of(login(guest).get(reverse("trip", args=[reservation.pk])))

    call, decided = entries[3:5]
    assert "Call from Hannah" in call
    assert "You have successfully rejected the reservation." in call
    assert "Rejected via Phone" in decided


@pytest.fixture
def host_in_japan(make_user):
    return make_user(first_name="Haruto", email="haruto@example.com", phone_number="+819012345678")


@commits
def test_airtngs_call_to_the_host_and_the_keypad_decision_are_in_the_timeline(
    twilio,
    run_worker,
    twilio_post,
    login,
    guest,
    host_in_japan,
    make_property,
    make_reservation,
    settings,
):
    settings.PUBLIC_BASE_URL = "http://testserver"  # where Twilio fetches the call's TwiML
    reservation = make_reservation(make_property(host_in_japan), guest)
    run_worker()  # the SMS with the link, and the call
    placed = Call.objects.get()
    call = {"CallSid": placed.sid, "From": "+15005550006", "To": str(host_in_japan.phone_number)}
    gather = ElementTree.fromstring(twilio_post("/voice", call).content).find("./Gather")
    twilio_post(gather.get("action"), {**call, "Digits": "1"})

    entries = timeline_of(login(host_in_japan).get(reverse("host_request", args=[reservation.pk])))

    [called] = [entry for entry in entries if "Airtng called Haruto" in entry]
    assert "Queued at Twilio" in called
    [answered] = [entry for entry in entries if "Haruto answered Airtng's call" in entry]
    assert "You have successfully confirmed the reservation." in answered
    assert not [entry for entry in entries if "Call from Haruto" in entry]
    assert entries.index(called) < entries.index(answered)
    assert "Confirmed via Phone" in entries[entries.index(answered) + 1]


def test_a_call_placed_again_says_how_many_times_it_rang(
    login, guest, host_in_japan, make_property, make_reservation
):
    reservation = make_reservation(make_property(host_in_japan), guest)
    # The offer wrote the call; it rang out three times.
    Call.objects.filter(reservation=reservation).update(status=Call.Status.NO_ANSWER, attempts=3)

    entries = timeline_of(login(guest).get(reverse("trip", args=[reservation.pk])))

    [called] = [entry for entry in entries if "Airtng called Haruto" in entry]
    assert "No answer (3 attempts)" in called


def test_a_decision_by_the_link_in_the_sms_says_so(
    client, login, guest, host_in_japan, make_property, make_reservation
):
    reservation = make_reservation(make_property(host_in_japan), guest)
    client.post(decision_link(reservation), {"choice": "reject", "confirmed": "yes"})

    entries = timeline_of(login(guest).get(reverse("trip", args=[reservation.pk])))

    assert [entry for entry in entries if "Rejected via the link in the SMS" in entry]


def test_a_cancelled_request_ends_with_its_cancellation(
    login, guest, host, listing, make_reservation
):
    reservation = make_reservation(listing, guest)
    client = login(guest)
    client.post(reverse("cancel_reservation", args=[reservation.pk]))

    entries = timeline_of(client.get(reverse("trip", args=[reservation.pk])))

    # The cancellation, then the SMS that tells the host.
    cancelled, to_host = entries[-2:]
    assert "Cancelled" in cancelled
    assert "Gus has cancelled their request" in to_host


def test_staff_see_the_timeline_on_the_reservation_in_the_admin(
    login, make_user, guest, listing, make_reservation
):
    reservation = make_reservation(listing, guest)
    staff = make_user(is_staff=True, is_superuser=True)

    response = login(staff).get(
        reverse("admin:reservations_reservation_change", args=[reservation.pk])
    )

    requested, request_sent, to_host = timeline_of(response)
    assert "Requested by Gus" in requested
    assert "SMS to Gus" in request_sent
    assert "SMS to Hannah" in to_host
    assert "Waiting to send" in to_host


@pytest.mark.parametrize("page", ["trip", "host_request"])
def test_nobody_else_sees_it(login, make_user, guest, host, listing, make_reservation, page):
    reservation = make_reservation(listing, guest)
    other_host_of_theirs = make_user()

    for outsider in (other_host_of_theirs, guest if page == "host_request" else host):
        response = login(outsider).get(reverse(page, args=[reservation.pk]))
        assert response.status_code == 404


def test_logged_out_visitors_are_sent_to_log_in(client, guest, listing, make_reservation):
    reservation = make_reservation(listing, guest)

    response = client.get(reverse("trip", args=[reservation.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_my_trips_and_requests_link_to_the_timeline(login, guest, host, listing, make_reservation):
    reservation = make_reservation(listing, guest)

    trips = login(guest).get(reverse("my_trips")).text
    requests = login(host).get(reverse("host_requests")).text

    assert reverse("trip", args=[reservation.pk]) in trips
    assert reverse("host_request", args=[reservation.pk]) in requests


@pytest.mark.parametrize("page", ["trip", "host_request"])
def test_the_timeline_costs_the_same_queries_however_long_it_is(
    login, guest, host, listing, make_reservation, page
):
    reservation = make_reservation(listing, guest)
    client = login(guest if page == "trip" else host)
    url = reverse(page, args=[reservation.pk])

    def queries():
        client.get(url)  # the session is read and cached once
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    short = queries()
    Message.objects.bulk_create(
        Message(
            direction=Direction.INBOUND,
            to="+15005550006",
            from_number=str(host.phone_number),
            body=f"Question {n}",
            status=SmsStatus.RECEIVED,
            user=host,
            reservation=reservation,
        )
        for n in range(10)
    )
    Call.objects.bulk_create(
        Call(to=str(host.phone_number), from_number="+15005550006", reservation=reservation)
        for n in range(5)
    )

    assert queries() == short
    # The session, the user, the reservation with its people, its SMS, the calls Airtng placed,
    # the calls that answered it; its conversation: the reader noted on the page, its proxy
    # number, its messages, its calls.
    assert short <= 10, short


def test_a_japanese_host_reads_the_call_and_the_link_decision_in_japanese(
    client, login, guest, make_user, make_property, make_reservation
):
    host = make_user(first_name="陽翔", phone_number="+819012345678", language="ja")
    reservation = make_reservation(make_property(host), guest)
    client.post(decision_link(reservation), {"choice": "accept", "confirmed": "yes"})

    entries = timeline_of(login(host).get(reverse("host_request", args=[reservation.pk])))

    assert [entry for entry in entries if "Airtngから陽翔さんへの電話" in entry]
    assert [entry for entry in entries if "確定（SMSのリンク）" in entry]
