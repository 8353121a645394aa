"""Calls to a proxy number are put through to the other person, showing only the proxy."""

import pytest
from django.urls import reverse

from ivr.models import Call
from reservations import services
from reservations.conversations.models import RelayedCall
from reservations.models import Reservation
from tests.conftest import twiml_root
from tests.conversations.conftest import PROXY_A, PROXY_B, call_params

VOICE = "/voice"


@pytest.fixture
def stay(proxy_numbers, guest, listing, request_stay):
    return request_stay(guest, listing)


def dialled(response):
    """(callerId, number dialled) of a TwiML that is one <Dial> and nothing else."""
    root = twiml_root(response)
    [dial] = list(root)
    assert dial.tag == "Dial"
    [number] = list(dial)
    assert number.tag == "Number"
    return dial.get("callerId"), number.text


def test_the_guest_calls_the_proxy_and_is_put_through_to_the_host(stay, guest, host, twilio_post):
    response = twilio_post(VOICE, call_params(caller=guest, to=PROXY_A, sid="CA" + "1" * 32))

    assert dialled(response) == (PROXY_A, str(host.phone_number))
    assert b"<Say" not in response.content
    assert str(guest.phone_number).encode() not in response.content
    call = RelayedCall.objects.get()
    assert (call.conversation_id, call.caller, call.call_sid) == (stay.pk, guest, "CA" + "1" * 32)


def test_the_host_calls_the_proxy_and_is_put_through_to_the_guest(stay, guest, host, twilio_get):
    response = twilio_get(VOICE, call_params(caller=host, to=PROXY_A))

    assert dialled(response) == (PROXY_A, str(guest.phone_number))
    assert str(host.phone_number).encode() not in response.content


def test_a_repeated_webhook_is_one_call(stay, guest, twilio_post):
    params = call_params(caller=guest, to=PROXY_A)
    twilio_post(VOICE, params)
    twilio_post(VOICE, params)

    assert RelayedCall.objects.count() == 1


def test_a_stranger_calling_a_proxy_is_refused_politely(stay, make_user, twilio_post):
    response = twilio_post(VOICE, call_params(caller=make_user(), to=PROXY_A))

    root = twiml_root(response)
    assert [verb.tag for verb in root] == ["Say", "Hangup"]
    assert root[0].text.startswith("Sorry, this Airtng number only connects a guest and a host")
    assert RelayedCall.objects.count() == 0


def test_an_unsigned_call_to_a_proxy_is_forbidden(stay, guest, client):
    assert client.post(VOICE, call_params(caller=guest, to=PROXY_A)).status_code == 403


def test_calling_after_the_conversation_closed_hears_how_to_reach_support(stay, guest, twilio_post):
    services.cancel_reservation(reservation=stay, guest=guest)

    root = twiml_root(twilio_post(VOICE, call_params(caller=guest, to=PROXY_A)))

    assert root[0].text.startswith("This conversation has ended")
    assert "Dial" not in [verb.tag for verb in root]


def test_calls_route_by_the_number_called(
    proxy_numbers, guest, host, listing, make_user, make_property, request_stay, twilio_post
):
    ravi = make_user(first_name="Ravi")
    request_stay(guest, listing)
    request_stay(guest, make_property(ravi, title="Beach bungalow"))

    assert dialled(twilio_post(VOICE, call_params(caller=guest, to=PROXY_B))) == (
        PROXY_B,
        str(ravi.phone_number),
    )
    assert dialled(twilio_post(VOICE, call_params(caller=ravi, to=PROXY_B))) == (
        PROXY_B,
        str(guest.phone_number),
    )
    # Ravi has no conversation on A: the number does not reach Gus for him.
    assert twiml_root(twilio_post(VOICE, call_params(caller=ravi, to=PROXY_A)))[0].tag == "Say"


def test_relayed_calls_are_in_the_timeline(stay, guest, host, twilio_post, login):
    twilio_post(VOICE, call_params(caller=guest, to=PROXY_A))
    services.decide_reservation(reservation=stay, accepted=True, via=Reservation.Channel.WEB)

    page = login(guest).get(reverse("trip", args=[stay.pk])).content.decode()

    assert "Call from Gus to Hannah through the proxy number" in page
    assert str(host.phone_number) not in page


def test_calls_to_airtngs_own_number_are_unchanged(stay, make_user, twilio_post):
    root = twiml_root(twilio_post(VOICE, call_params(caller="+15555550199", to="+15005550006")))

    assert root[0].text == "Thanks for calling!"


def test_a_stranger_from_japan_is_refused_in_japanese(stay, twilio_post):
    root = twiml_root(twilio_post(VOICE, call_params(caller="+819012345678", to=PROXY_A)))

    say = root[0]
    assert (say.get("language"), say.get("voice")) == ("ja-JP", "Polly.Mizuki")
    assert say.text.startswith("申し訳ありません。")


def test_a_japanese_speaker_whose_conversation_closed_hears_it_in_japanese(
    stay, guest, twilio_post
):
    guest.language = "ja"  # with an American number: their own language, not the country's
    guest.save(update_fields=["language"])
    services.cancel_reservation(reservation=stay, guest=guest)

    root = twiml_root(twilio_post(VOICE, call_params(caller=guest, to=PROXY_A)))

    assert [verb.tag for verb in root] == ["Say", "Hangup"]
    say = root[0]
    assert (say.get("language"), say.get("voice")) == ("ja-JP", "Polly.Mizuki")
    assert say.text.startswith("この会話は終了したため")


def test_a_call_to_the_proxy_is_in_the_call_log_with_its_reservation(stay, guest, twilio_post):
    twilio_post(VOICE, call_params(caller=guest, to=PROXY_A))

    call = Call.objects.get()
    assert (call.to, call.user, call.reservation) == (PROXY_A, guest, stay)
    assert "<Dial" in call.steps.get().twiml
