"""Airtng's call to a Japanese-speaking host speaks Japanese at every step.

`From` of a call Airtng placed is Airtng's own (American) number: the language is the one of
the person it dialled, the host, not of `From`.
"""

import pytest

from ivr.models import Call
from reservations import services
from reservations.models import Reservation
from tests.conftest import twiml_root
from tests.ivr.conftest import JAPANESE_NUMBER, PUBLIC
from tests.ivr.test_voice_in_japanese import JAPANESE, spoken_in_japanese

Status = Reservation.Status


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = PUBLIC


@pytest.fixture
def call_about(twilio, run_worker, make_property, make_reservation, guest):
    """Airtng has called `host` about Gus's request to stay at their place; the Call row."""

    def call(host):
        request = make_reservation(make_property(host, title="京都の町家"), guest)
        run_worker()
        return Call.objects.get(reservation=request), request

    return call


@pytest.fixture
def japanese_host_in_japan(make_user):
    return make_user(first_name="陽翔", phone_number=JAPANESE_NUMBER, language="ja")


def test_the_call_reads_the_request_in_japanese(call_about, twilio_calls, japanese_host_in_japan):
    placed, _ = call_about(japanese_host_in_japan)

    root = twiml_root(twilio_calls("/voice", placed.sid))

    [offer] = spoken_in_japanese(root)
    assert offer.startswith("陽翔様、こんにちは。Airtngです。 Gusさんから、京都の町家に")
    assert offer.endswith("承諾する場合は1を、お断りする場合は2を押してください。")


@pytest.mark.parametrize(("key", "status"), [("1", Status.CONFIRMED), ("2", Status.REJECTED)])
def test_the_keypad_decision_is_answered_in_japanese(
    call_about, twilio_calls, japanese_host_in_japan, key, status
):
    placed, request = call_about(japanese_host_in_japan)
    action = twiml_root(twilio_calls("/voice", placed.sid)).find("./Gather").attrib["action"]

    root = twiml_root(twilio_calls(action, placed.sid, Digits=key))

    first, goodbye = spoken_in_japanese(root)
    assert first.startswith("予約を承諾しました。" if key == "1" else "予約をお断りしました。")
    assert goodbye == "失礼いたします。"
    request.refresh_from_db()
    assert (request.status, request.decided_via) == (status, "phone")


def test_a_key_that_is_no_choice_and_the_repeat_are_japanese(
    call_about, twilio_calls, japanese_host_in_japan
):
    placed, _ = call_about(japanese_host_in_japan)
    offer = twiml_root(twilio_calls("/voice", placed.sid))
    action = offer.find("./Gather").attrib["action"]

    wrong_key = twiml_root(twilio_calls(action, placed.sid, Digits="7"))
    repeated = twiml_root(twilio_calls(offer.find("./Redirect").text, placed.sid))

    assert spoken_in_japanese(wrong_key)[0] == "申し訳ありません。その番号は選択肢にありません。"
    assert spoken_in_japanese(repeated)[-1] == "失礼いたします。"


def test_a_call_about_a_request_that_ended_says_so_in_japanese(
    call_about, twilio_calls, japanese_host_in_japan, guest
):
    placed, request = call_about(japanese_host_in_japan)
    services.cancel_reservation(reservation=request, guest=guest)

    root = twiml_root(twilio_calls("/voice", placed.sid))

    greeting, nothing = spoken_in_japanese(root)
    assert greeting == "陽翔様、こんにちは。Airtngです。"
    assert nothing == "申し訳ありません。お返事いただく予約リクエストはないようです。"
    assert root.find("./Hangup") is not None


def test_a_japanese_speaker_with_an_american_number_who_chose_a_call_hears_japanese(
    call_about, twilio_calls, make_user
):
    host = make_user(first_name="陽翔", language="ja", decide_by="call")
    placed, _ = call_about(host)

    root = twiml_root(twilio_calls("/voice", placed.sid, To=str(host.phone_number)))

    assert spoken_in_japanese(root)[0].startswith("陽翔様、こんにちは。Airtngです。")


def test_an_english_speaker_in_japan_is_called_in_english(call_about, twilio_calls, make_user):
    host = make_user(first_name="Haruto", phone_number=JAPANESE_NUMBER, language="en")
    placed, _ = call_about(host)

    root = twiml_root(twilio_calls("/voice", placed.sid))

    says = list(root.iter("Say"))
    assert [say.attrib for say in says] == [{}]
    assert says[0].text.startswith("Hello Haruto, this is Airtng.")
    assert JAPANESE["language"] not in twilio_calls("/voice", placed.sid).text
