"""Japanese reply words, full-width letters and Japanese punctuation, over a signed webhook.

Every word works for everyone; the reply is in the sender's language, and a number that
belongs to no one is answered in its country's (+81: Japanese).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from airtng.messaging.models import Direction, Message, OptOut
from reservations.models import Reservation
from reservations.services.host_reply import keyword
from tests.conftest import twiml_root

INCOMING = "/reservations/incoming"
Status = Reservation.Status
JAPANESE_STRANGER = "+819012345678"


@pytest.fixture
def ja_host(make_user):
    return make_user(first_name="Haruto", email="haruto@example.com", language="ja")


@pytest.fixture
def text(twilio_post):
    sids = iter(range(1, 10_000))

    def text(number, body):
        return twilio_post(
            INCOMING,
            {
                "MessageSid": f"SM{next(sids):032d}",
                "AccountSid": "AC" + "0" * 32,
                "From": str(number),
                "To": "+15005550006",
                "Body": body,
            },
        )

    return text


def replies(response):
    return [message.text for message in twiml_root(response).iter("Message")]


@pytest.fixture
def offered(make_property, make_reservation, guest):
    """A request the host was texted about, which Twilio has taken."""

    def offered(host):
        request = make_reservation(make_property(host), guest)
        Message.objects.filter(direction=Direction.OUTBOUND, to=str(host.phone_number)).update(
            accepted_at=timezone.now() - timedelta(seconds=5)
        )
        return request

    return offered


@pytest.mark.parametrize(
    "body", ["はい", "はい！", "ＹＥＳ", "accept。", "ＡＣＣＥＰＴ", "承諾", "承認", "OK"]
)
def test_japanese_and_full_width_words_accept(text, offered, ja_host, body):
    request = offered(ja_host)

    [answer] = replies(text(ja_host.phone_number, body))

    request.refresh_from_db()
    assert request.status == Status.CONFIRMED
    assert answer.startswith("予約を承諾しました。")


@pytest.mark.parametrize("body", ["いいえ", "いいえ。", "拒否", "お断り", "「お断り」"])
def test_japanese_words_reject(text, offered, ja_host, body):
    request = offered(ja_host)

    [answer] = replies(text(ja_host.phone_number, body))

    request.refresh_from_db()
    assert request.status == Status.REJECTED
    assert answer.startswith("予約をお断りしました。")


def test_an_english_host_may_answer_in_japanese_and_is_answered_in_english(text, offered, host):
    request = offered(host)

    [answer] = replies(text(host.phone_number, "はい"))

    request.refresh_from_db()
    assert request.status == Status.CONFIRMED
    assert answer.startswith("You have successfully confirmed the reservation.")


def test_a_japanese_host_may_answer_in_english(text, offered, ja_host):
    request = offered(ja_host)

    [answer] = replies(text(ja_host.phone_number, "Yes"))

    request.refresh_from_db()
    assert request.status == Status.CONFIRMED
    assert answer.startswith("予約を承諾しました。")


def test_other_words_get_help_in_the_hosts_language(text, offered, ja_host):
    offered(ja_host)

    [answer] = replies(text(ja_host.phone_number, "たぶん"))

    assert answer.startswith("Gusさんからの")
    assert answer.endswith("「はい」か「いいえ」でご返信ください。")


def test_a_japanese_number_that_belongs_to_no_one_is_answered_in_japanese(db, text):
    assert replies(text(JAPANESE_STRANGER, "はい")) == [
        "申し訳ありません。お返事いただく予約リクエストはないようです。"
    ]


def test_an_american_number_that_belongs_to_no_one_is_answered_in_english(db, text):
    assert replies(text("+12025550199", "はい")) == [
        "Sorry, it looks like you don't have any reservations to respond to."
    ]


def test_teishi_stops_texts_to_the_number_and_says_so(text, ja_host):
    [answer] = replies(text(ja_host.phone_number, "停止"))

    assert OptOut.objects.filter(phone_number=str(ja_host.phone_number)).exists()
    assert answer == "AirtngからのSMSを停止しました。再開するには「開始」とご返信ください。"


def test_kaishi_starts_them_again(text, ja_host):
    text(ja_host.phone_number, "停止")

    [answer] = replies(text(ja_host.phone_number, "開始"))

    assert not OptOut.objects.filter(phone_number=str(ja_host.phone_number)).exists()
    assert answer == "AirtngからのSMSを再開しました。停止するには「停止」とご返信ください。"


def test_herupu_explains_in_japanese(text, ja_host):
    [answer] = replies(text(ja_host.phone_number, "ヘルプ"))

    assert answer.startswith("Airtng：予約リクエストには「はい」か「いいえ」でご返信ください。")


def test_english_stop_is_still_left_to_twilio_to_confirm(text, ja_host):
    assert replies(text(ja_host.phone_number, "STOP")) == []
    assert OptOut.objects.filter(phone_number=str(ja_host.phone_number)).exists()


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ("ＡＣＣＥＰＴ", "accept"),
        ("accept。", "accept"),
        ("はい！", "はい"),
        ("ＹＥＳ", "yes"),
        ("  「いいえ」 ", "いいえ"),
        ("ｏｋ", "ok"),
        ("停止。", "停止"),
    ],
)
def test_a_reply_is_read_after_nfkc_without_its_punctuation(body, word):
    assert keyword(body) == word
