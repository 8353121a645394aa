"""The texts about a request read as Japanese, with Japanese dates, for a Japanese reader."""

from datetime import date

import pytest
from django.utils import translation

from reservations import texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def reservation(make_reservation, make_property, make_user):
    host = make_user(first_name="Hannah")
    guest = make_user(first_name="Aiko", last_name="")
    listing = make_property(host, title="湖畔のキャビン")
    return make_reservation(
        listing,
        guest,
        check_in=date(2026, 12, 11),
        check_out=date(2026, 12, 14),
        guests=2,
        message="よろしくお願いします。",
    )


def test_the_hosts_request_sms_is_japanese(reservation):
    with translation.override("ja"):
        text = texts.new_request(reservation)

    assert text == (
        "Aikoさんから湖畔のキャビンへの新しい予約リクエストが届きました。"
        "12月11日(金)〜12月14日(月)、2名：\n"
        "「よろしくお願いします。」\n"
        "「はい」か「いいえ」でご返信ください。"
    )


def test_the_guests_confirmation_is_japanese(reservation):
    with translation.override("ja"):
        text = texts.guest_outcome(reservation, accepted=True)

    assert text == (
        "湖畔のキャビンへのご宿泊リクエストが承諾されました。12月11日(金)〜12月14日(月)、2名。"
        "Hannahさんがお待ちしています。ご旅行の詳細はAirtngの「マイ旅行」でご確認いただけます。"
    )


def test_nothing_to_answer_is_japanese():
    with translation.override("ja"):
        assert (
            texts.nothing_to_answer()
            == "申し訳ありません。お返事いただく予約リクエストはないようです。"
        )
