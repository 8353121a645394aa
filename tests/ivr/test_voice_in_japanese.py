"""The voice line speaks its caller's language: every <Say> to a Japanese caller is Japanese
speech (language="ja-JP", voice="Polly.Mizuki"), with dates as Japanese dates (12月11日)."""

import pytest

from accounts.services import set_phone_pin
from reservations.models import Reservation
from tests.conftest import twiml_root
from tests.ivr.test_voice_line import CALL_SID, DECISION, VOICE, attested_call, call_from, said

Status = Reservation.Status
JAPANESE = {"language": "ja-JP", "voice": "Polly.Mizuki"}
JAPANESE_STRANGER = "+819012345678"


@pytest.fixture
def ja_host(make_user):
    return make_user(first_name="Haruto", email="haruto@example.com", language="ja")


@pytest.fixture
def pending(make_property, make_reservation, ja_host, guest):
    return make_reservation(make_property(ja_host, title="京都の町家"), guest)


def spoken_in_japanese(root):
    """Every <Say> of the answer, wherever it is nested, speaks Japanese; its texts."""
    says = list(root.iter("Say"))
    assert says, "the answer says nothing"
    assert [say.attrib for say in says] == [JAPANESE] * len(says)
    return [say.text for say in says]


def japanese_date(day):
    return f"{day.month}月{day.day}日"


def test_a_japanese_number_that_belongs_to_no_one_is_thanked_in_japanese(db, call_webhook):
    root = twiml_root(call_webhook(VOICE, call_from(JAPANESE_STRANGER)))

    assert spoken_in_japanese(root) == ["お電話ありがとうございます。"]


def test_an_american_number_that_belongs_to_no_one_keeps_the_default_voice(db, call_webhook):
    root = twiml_root(call_webhook(VOICE, call_from("+12025550199")))

    assert [(say.attrib, say.text) for say in root.iter("Say")] == [({}, "Thanks for calling!")]


def test_a_japanese_host_hears_their_request_in_japanese_with_japanese_dates(
    call_webhook, ja_host, pending
):
    root = twiml_root(call_webhook(VOICE, attested_call(ja_host.phone_number)))

    [request] = spoken_in_japanese(root)
    assert request == (
        "Harutoさん、お電話ありがとうございます。 "
        f"Gusさんから、京都の町家に{japanese_date(pending.check_in)}から"
        f"{japanese_date(pending.check_out)}まで、2名でのご宿泊のリクエストです。"
        "承諾する場合は1を、お断りする場合は2を押してください。"
    )


def test_the_repeat_and_goodbye_are_japanese_too(call_webhook, ja_host, pending):
    first = twiml_root(call_webhook(VOICE, attested_call(ja_host.phone_number)))

    root = twiml_root(call_webhook(first.find("./Redirect").text, call_from(ja_host.phone_number)))

    assert spoken_in_japanese(root)[-1] == "失礼いたします。"


@pytest.mark.parametrize(("key", "status"), [("1", Status.CONFIRMED), ("2", Status.REJECTED)])
def test_the_decision_is_answered_in_japanese(call_webhook, ja_host, pending, key, status):
    offer = twiml_root(call_webhook(VOICE, attested_call(ja_host.phone_number)))
    action = offer.find("./Gather").attrib["action"]
    assert action.startswith(DECISION)

    pressed = call_from(ja_host.phone_number, Digits=key)
    root = twiml_root(call_webhook(action, pressed))
    again = twiml_root(call_webhook(action, pressed))

    pending.refresh_from_db()
    assert pending.status == status
    first, goodbye = spoken_in_japanese(root)
    assert first.startswith("予約を承諾しました。" if key == "1" else "予約をお断りしました。")
    assert goodbye == "失礼いたします。"
    # A repeated post hears the stored answer: Japanese as well.
    assert spoken_in_japanese(again) == [first, goodbye]


def test_a_key_that_is_no_choice_is_answered_in_japanese(call_webhook, ja_host, pending):
    offer = twiml_root(call_webhook(VOICE, attested_call(ja_host.phone_number)))
    action = offer.find("./Gather").attrib["action"]

    root = twiml_root(call_webhook(action, call_from(ja_host.phone_number, Digits="7")))

    assert spoken_in_japanese(root)[0] == "申し訳ありません。その番号は選択肢にありません。"


def test_a_forged_decision_from_a_japanese_number_is_answered_in_japanese(db, call_webhook):
    root = twiml_root(
        call_webhook(f"{DECISION}?state=forged", call_from(JAPANESE_STRANGER, Digits="1"))
    )

    assert spoken_in_japanese(root) == [
        "申し訳ありません。お返事いただく予約リクエストはないようです。"
    ]


def test_the_pin_prompt_is_japanese(call_webhook, ja_host, pending):
    set_phone_pin(user=ja_host, pin="2468")

    root = twiml_root(call_webhook(VOICE, call_from(ja_host.phone_number, CallSid=CALL_SID)))

    assert spoken_in_japanese(root) == [
        "Harutoさん、お電話ありがとうございます。 電話用PINを入力してください。",
        "失礼いたします。",
    ]


def enter_pin(call_webhook, host, pin, *, action=None):
    """Call without attestation; at the PIN prompt (or `action`), enter `pin`."""
    if action is None:
        prompt = twiml_root(call_webhook(VOICE, call_from(host.phone_number)))
        action = prompt.find("./Gather").attrib["action"]
    return twiml_root(call_webhook(action, call_from(host.phone_number, Digits=pin)))


def test_the_right_pin_reads_the_request_in_japanese(call_webhook, ja_host, pending):
    set_phone_pin(user=ja_host, pin="2468")

    root = enter_pin(call_webhook, ja_host, "2468")

    assert spoken_in_japanese(root)[0].startswith("Gusさんから、京都の町家に")


def test_a_wrong_pin_is_answered_and_asked_again_in_japanese(call_webhook, ja_host, pending):
    set_phone_pin(user=ja_host, pin="2468")

    root = enter_pin(call_webhook, ja_host, "1357")

    wrong, prompt, goodbye = spoken_in_japanese(root)
    assert wrong == "PINが正しくありません。"
    assert prompt == "電話用PINを入力してください。"
    assert goodbye == "失礼いたします。"


def test_too_many_wrong_pins_are_refused_in_japanese(call_webhook, ja_host, pending):
    set_phone_pin(user=ja_host, pin="2468")
    action = None
    for _ in range(5):
        root = enter_pin(call_webhook, ja_host, "0000", action=action)
        gather = root.find("./Gather")
        action = gather.attrib["action"] if gather is not None else None

    root = enter_pin(call_webhook, ja_host, "2468")

    [refused] = spoken_in_japanese(root)
    assert refused.startswith("PINの入力を誤った回数が上限に達しました。")


def test_a_host_without_a_pin_is_told_in_japanese_how_to_set_one(call_webhook, ja_host, pending):
    root = twiml_root(call_webhook(VOICE, call_from(ja_host.phone_number)))

    assert spoken_in_japanese(root)[-1].startswith("お電話でリクエストを聞いてお返事いただくには")


def test_an_english_host_keeps_the_default_voice(
    call_webhook, host, make_property, guest, make_reservation
):
    make_reservation(make_property(host), guest)

    root = twiml_root(call_webhook(VOICE, attested_call(host.phone_number)))

    assert [say.attrib for say in root.iter("Say")] == [{}]
    assert said(root, "./Gather/Say")[0].startswith("Thanks for calling, Hannah!")
