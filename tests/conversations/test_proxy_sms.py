"""Texts to a proxy number reach the other person of its conversation, from the proxy."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from airtng.messaging.models import Direction, Message, OptOut, Status
from reservations import services
from reservations.conversations.models import Conversation, ProxySeat
from reservations.models import Reservation
from tests.conftest import twiml_root
from tests.conversations.conftest import AIRTNG, PROXY_A, PROXY_B, sms_params

INCOMING = "/reservations/incoming"


def texts_to(user):
    return Message.objects.filter(direction=Direction.OUTBOUND, to=str(user.phone_number))


def relayed_to(user):
    return list(
        texts_to(user).exclude(from_number=AIRTNG).order_by("id").values_list("from_number", "body")
    )


def thread_bodies(client, reservation):
    response = client.get(
        reverse("conversation", args=[reservation.pk]), headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    return [(said["author"], said["body"], said["via"]) for said in response.json()["messages"]]


@pytest.fixture
def stay(proxy_numbers, guest, listing, request_stay):
    return request_stay(guest, listing)


def test_a_request_gets_the_first_proxy_number(stay, guest, host):
    assert Conversation.objects.get(reservation=stay).proxy_number == PROXY_A
    assert set(ProxySeat.objects.values_list("person", "proxy_number")) == {
        (guest.pk, PROXY_A),
        (host.pk, PROXY_A),
    }


def test_the_guest_texts_the_proxy_and_the_host_gets_it_from_the_proxy(
    stay, guest, host, twilio_post, login
):
    response = twilio_post(INCOMING, sms_params(sender=guest, to=PROXY_A, body="Is there a crib?"))

    assert list(twiml_root(response)) == []  # passed on: no answer to the guest
    assert relayed_to(host) == [(PROXY_A, "Gus: Is there a crib?")]
    received = Message.objects.get(direction=Direction.INBOUND)
    assert (received.to, received.reservation, received.user) == (PROXY_A, stay, guest)
    assert thread_bodies(login(host), stay)[-1] == ("Gus", "Is there a crib?", "sms")


def test_the_host_texts_the_proxy_and_the_guest_gets_it_from_the_proxy(
    stay, guest, host, twilio_post, login
):
    twilio_post(INCOMING, sms_params(sender=host, to=PROXY_A, body="Yes, in the loft."))

    assert relayed_to(guest) == [(PROXY_A, "Hannah: Yes, in the loft.")]
    assert thread_bodies(login(guest), stay) == [
        ("Gus", "We'd love to stay!", "web"),
        ("Hannah", "Yes, in the loft.", "sms"),
    ]


def test_the_same_message_sid_is_passed_on_once(stay, guest, host, twilio_post):
    params = sms_params(sender=guest, to=PROXY_A, body="Hello?")

    twilio_post(INCOMING, params)
    twilio_post(INCOMING, params)

    assert relayed_to(host) == [(PROXY_A, "Gus: Hello?")]


def test_a_stranger_is_refused_politely(stay, host, make_user, twilio_post):
    stranger = make_user(first_name="Sam")
    response = twilio_post(INCOMING, sms_params(sender=stranger, to=PROXY_A, body="Hi Hannah"))

    [reply] = twilio_root_messages(response)
    assert reply.startswith("Sorry, this Airtng number only connects a guest and a host")
    assert AIRTNG in reply
    assert relayed_to(host) == []


def test_an_unknown_number_is_refused_politely(stay, host, twilio_post):
    response = twilio_post(INCOMING, sms_params(sender="+15555550199", to=PROXY_A, body="Hi"))

    assert twilio_root_messages(response)[0].startswith("Sorry, this Airtng number")
    assert relayed_to(host) == []


def twilio_root_messages(response):
    return [message.text for message in twiml_root(response).iter("Message")]


def test_two_stays_of_one_guest_with_two_hosts_get_two_numbers_and_route_right(
    proxy_numbers, guest, host, listing, make_user, make_property, request_stay, twilio_post
):
    ravi = make_user(first_name="Ravi")
    first = request_stay(guest, listing)
    second = request_stay(guest, make_property(ravi, title="Beach bungalow"))
    assert (first.conversation.proxy_number, second.conversation.proxy_number) == (
        PROXY_A,
        PROXY_B,
    )

    twilio_post(INCOMING, sms_params(sender=guest, to=PROXY_B, body="Towels?"))
    twilio_post(INCOMING, sms_params(sender=guest, to=PROXY_A, body="Crib?"))
    twilio_post(INCOMING, sms_params(sender=ravi, to=PROXY_B, body="Towels are in."))

    assert relayed_to(ravi) == [(PROXY_B, "Gus: Towels?")]
    assert relayed_to(host) == [(PROXY_A, "Gus: Crib?")]
    assert relayed_to(guest) == [(PROXY_B, "Ravi: Towels are in.")]
    assert set(
        Message.objects.filter(direction=Direction.INBOUND).values_list("body", "reservation")
    ) == {("Towels?", second.pk), ("Crib?", first.pk), ("Towels are in.", second.pk)}


def test_a_host_with_two_guests_shares_a_number_with_neither_twice(
    proxy_numbers, guest, host, listing, make_user, request_stay, twilio_post
):
    mei = make_user(first_name="Mei")
    first = request_stay(guest, listing, check_in=10)
    second = request_stay(mei, listing, check_in=20)

    assert first.conversation.proxy_number != second.conversation.proxy_number
    twilio_post(INCOMING, sms_params(sender=host, to=second.conversation.proxy_number, body="Hi"))
    assert relayed_to(mei) == [(second.conversation.proxy_number, "Hannah: Hi")]
    assert relayed_to(guest) == []


ENDED_WITH_HANNAH = (
    "Your conversation with Hannah about Cabin by the lake has ended: this number no longer "
    f"reaches them. For help, contact Airtng support at {AIRTNG}."
)
ENDED_WITH_GUS = ENDED_WITH_HANNAH.replace("Hannah", "Gus")


def test_a_closed_conversation_tells_both_how_to_reach_support(stay, guest, host, twilio_post):
    services.decide_reservation(reservation=stay, accepted=False, via=Reservation.Channel.WEB)
    assert not ProxySeat.objects.exists()
    # As it closes, from the proxy number, so that the thread in their phones says so.
    assert relayed_to(guest) == [(PROXY_A, ENDED_WITH_HANNAH)]
    assert relayed_to(host) == [(PROXY_A, ENDED_WITH_GUS)]

    for person in (guest, host):
        response = twilio_post(INCOMING, sms_params(sender=person, to=PROXY_A, body="Still on?"))
        [reply] = twilio_root_messages(response)
        assert reply.startswith("This conversation has ended")
        assert f"contact Airtng support at {AIRTNG}" in reply
    assert len(relayed_to(host)) == len(relayed_to(guest)) == 1  # nothing passed on


def test_a_conversation_closes_once_however_many_sweeps(
    proxy_numbers, guest, host, listing, request_stay
):
    stay = request_stay(guest, listing)
    services.cancel_reservation(reservation=stay, guest=guest)

    services.sweep_requests()
    services.sweep_requests()

    assert relayed_to(guest) == [(PROXY_A, ENDED_WITH_HANNAH)]


def test_a_conversation_closes_seven_days_after_check_out(
    proxy_numbers, guest, host, listing, request_stay, twilio_post
):
    stay = request_stay(guest, listing, check_in=10, nights=2)
    services.decide_reservation(reservation=stay, accepted=True, via=Reservation.Channel.WEB)
    check_out = stay.check_out
    almost = timezone.make_aware(
        timezone.datetime.combine(check_out + timedelta(days=6), timezone.datetime.min.time())
    ) + timedelta(hours=23)

    with time_machine.travel(almost, tick=False):
        services.sweep_requests()
        twilio_post(INCOMING, sms_params(sender=guest, to=PROXY_A, body="Left my hat!"))
        assert relayed_to(host) == [(PROXY_A, "Gus: Left my hat!")]

    with time_machine.travel(almost + timedelta(hours=1), tick=False):
        assert services.sweep_requests()["conversations closed"] == 1
        response = twilio_post(INCOMING, sms_params(sender=host, to=PROXY_A, body="Found it"))

    assert twilio_root_messages(response)[0].startswith("This conversation has ended")
    assert relayed_to(guest) == [(PROXY_A, ENDED_WITH_HANNAH)]  # the closing, not "Found it"
    assert not ProxySeat.objects.exists()


def test_a_closed_number_goes_to_the_next_pair(
    proxy_numbers, guest, host, listing, make_user, make_property, request_stay
):
    first = request_stay(guest, listing)
    services.cancel_reservation(reservation=first, guest=guest)

    again = request_stay(guest, make_property(make_user(), title="Loft"))

    assert again.conversation.proxy_number == PROXY_A


def test_stop_to_a_proxy_stops_every_text_to_the_number(stay, guest, host, twilio_post, run_worker):
    assert (
        twilio_root_messages(
            twilio_post(INCOMING, sms_params(sender=host, to=PROXY_A, body="STOP"))
        )
        == []
    )
    assert OptOut.objects.filter(phone_number=str(host.phone_number)).exists()

    twilio_post(INCOMING, sms_params(sender=guest, to=PROXY_A, body="Hello?"))
    run_worker()

    relayed = texts_to(host).get(from_number=PROXY_A)
    assert (relayed.status, relayed.error_code) == (Status.FAILED, 21610)


def test_help_to_a_proxy_says_whom_it_reaches(stay, guest, twilio_post):
    response = twilio_post(INCOMING, sms_params(sender=guest, to=PROXY_A, body="help"))

    assert twilio_root_messages(response) == [
        "Texts and calls to this number reach Hannah, about Cabin by the lake; neither of you "
        "sees the other's number. Reply STOP to stop texts."
    ]


def test_relayed_texts_leave_through_twilio_from_the_proxy(
    stay, guest, host, twilio_post, twilio, run_worker
):
    twilio_post(INCOMING, sms_params(sender=guest, to=PROXY_A, body="Parking?"))
    run_worker()

    relayed = [sms for sms in twilio.sent if sms["From"] == PROXY_A]
    assert [(sms["To"], sms["Body"]) for sms in relayed] == [
        (str(host.phone_number), "Gus: Parking?")
    ]
    assert texts_to(host).get(from_number=PROXY_A).status == Status.QUEUED


def test_relayed_texts_are_in_the_timeline(stay, guest, host, twilio_post, login):
    twilio_post(INCOMING, sms_params(sender=guest, to=PROXY_A, body="Parking?"))

    page = login(host).get(reverse("host_request", args=[stay.pk])).content.decode()

    assert "SMS from Gus to the proxy number" in page
    assert "SMS to Hannah from the proxy number" in page
    assert str(guest.phone_number) not in page


def test_messages_to_airtngs_own_number_are_still_host_replies(stay, host, twilio_post):
    response = twilio_post(INCOMING, sms_params(sender=host, to=AIRTNG, body="what?"))

    assert twilio_root_messages(response)[0].startswith("Reply accept or reject")


def test_a_stranger_from_japan_is_refused_in_japanese(stay, twilio_post):
    response = twilio_post(
        INCOMING, sms_params(sender="+819012345678", to=PROXY_A, body="こんにちは")
    )

    assert twilio_root_messages(response)[0].startswith("申し訳ありません。このAirtngの番号は")


def test_the_closing_text_is_in_each_persons_language(stay, guest, host):
    host.language = "ja"
    host.save(update_fields=["language"])

    services.cancel_reservation(reservation=stay, guest=guest)

    [(_, body)] = relayed_to(host)
    assert body.startswith("Cabin by the lakeについてのGusさんとの会話は終了しました。")
    assert relayed_to(guest) == [(PROXY_A, ENDED_WITH_HANNAH)]


def test_a_japanese_speaker_with_no_conversation_on_the_proxy_is_refused_in_japanese(
    stay, make_user, twilio_post
):
    stranger = make_user(language="ja")  # an American number

    response = twilio_post(INCOMING, sms_params(sender=stranger, to=PROXY_A, body="hello"))

    assert twilio_root_messages(response)[0].startswith("申し訳ありません。このAirtngの番号は")
