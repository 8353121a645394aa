"""Every SMS Airtng writes is in its reader's language, whoever caused it and from wherever.

A booking happens in the guest's request, a decision in the host's, a reminder or an expiry
in the sweep with no request at all: each text is still written in its recipient's language.
The Japanese host here has an American number, so that only their language decides.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.texting import text_person
from airtng.messaging.models import Direction, Message
from reservations import services
from reservations.models import Reservation
from tests.conftest import days_from_now

Status = Reservation.Status
INCOMING = "/reservations/incoming"


@pytest.fixture
def ja_host(make_user):
    return make_user(first_name="Haruto", email="haruto@example.com", language="ja")


@pytest.fixture
def ja_guest(make_user):
    return make_user(first_name="Yui", email="yui@example.com", language="ja")


def texts_to(user):
    return list(
        Message.objects.filter(direction=Direction.OUTBOUND, to=str(user.phone_number))
        .order_by("id")
        .values_list("body", flat=True)
    )


def book(client, guest, listing, *, browser="en", check_in=10):
    """The guest books on the web, their browser asking for `browser`'s pages."""
    client.force_login(guest)
    response = client.post(
        reverse("request_stay", args=[listing.pk]),
        {
            "check_in": days_from_now(check_in).isoformat(),
            "check_out": days_from_now(check_in + 3).isoformat(),
            "guests": 2,
            "message": "We'd love to stay!",
        },
        headers={"Accept-Language": browser},
    )
    assert response.status_code == 302, response.text
    client.logout()
    return Reservation.objects.latest("created_at", "id")


def reply(twilio_post, user, body, sid=1):
    return twilio_post(
        INCOMING,
        {
            "MessageSid": f"SM{sid:032d}",
            "AccountSid": "AC" + "0" * 32,
            "From": str(user.phone_number),
            "To": "+15005550006",
            "Body": body,
        },
    )


def twilio_took_the_offer(host):
    """Twilio accepted the SMS about the host's request (a reply decides only after that)."""
    Message.objects.filter(direction=Direction.OUTBOUND, to=str(host.phone_number)).update(
        accepted_at=timezone.now() - timedelta(seconds=5)
    )


def test_an_english_host_gets_english_when_a_japanese_guest_books(
    client, ja_guest, host, make_property
):
    listing = make_property(host)

    request = book(client, ja_guest, listing, browser="ja")

    [to_host] = texts_to(host)
    assert to_host.startswith("You have a new reservation request from Yui for Cabin by the lake")
    assert to_host.endswith("Reply accept or reject.")
    [to_guest] = texts_to(ja_guest)
    check_in = request.check_in
    assert to_guest.startswith(
        f"Cabin by the lakeへのご宿泊リクエスト（{check_in.month}月{check_in.day}日"
    )
    assert "Hannahさんにお送りしました。" in to_guest


def test_a_japanese_host_gets_japanese_when_an_english_guest_books(
    client, guest, ja_host, make_property
):
    listing = make_property(ja_host, title="京都の町家")

    request = book(client, guest, listing, browser="en")

    [to_host] = texts_to(ja_host)
    check_in, check_out = request.check_in, request.check_out
    assert to_host.startswith("Gusさんから京都の町家への新しい予約リクエストが届きました。")
    assert f"{check_in.month}月{check_in.day}日" in to_host
    assert f"{check_out.month}月{check_out.day}日" in to_host
    assert "2名" in to_host
    assert to_host.endswith("「はい」か「いいえ」でご返信ください。")
    [to_guest] = texts_to(guest)
    assert to_guest.startswith("Your request to stay at 京都の町家, ")


def test_the_outcome_is_in_the_guests_language_though_the_host_speaks_another(
    client, twilio_post, ja_guest, host, make_property
):
    book(client, ja_guest, make_property(host), browser="ja")
    twilio_took_the_offer(host)

    answer = reply(twilio_post, host, "accept")

    assert "You have successfully confirmed the reservation." in answer.text
    assert texts_to(ja_guest)[-1].startswith(
        "Cabin by the lakeへのご宿泊リクエストが承諾されました。"
    )


def test_a_japanese_hosts_decision_tells_an_english_guest_in_english(
    client, twilio_post, guest, ja_host, make_property
):
    book(client, guest, make_property(ja_host), browser="ja")
    twilio_took_the_offer(ja_host)

    answer = reply(twilio_post, ja_host, "いいえ")

    assert "予約をお断りしました。" in answer.text
    assert texts_to(guest)[-1].startswith(
        "Your recent request to stay at Cabin by the lake was rejected."
    )


def test_a_cancellation_tells_the_host_in_the_hosts_language(
    client, login, guest, ja_host, make_property
):
    request = book(client, guest, make_property(ja_host), browser="en")

    login(guest).post(
        reverse("cancel_reservation", args=[request.pk]), headers={"Accept-Language": "en"}
    )

    to_host = texts_to(ja_host)[-1]
    assert to_host.startswith("GusさんがCabin by the lakeへのご宿泊リクエスト")
    assert to_host.endswith("お返事は不要です。")


@pytest.fixture
def one_hour_window(settings):
    settings.HOST_REPLY_WINDOW_MINUTES = 60
    return timedelta(minutes=60)


@pytest.mark.parametrize("sweeping_in", ["en", "ja"])
def test_the_sweeps_reminder_is_in_the_hosts_language(
    one_hour_window, make_reservation, make_property, guest, ja_host, host, ja_guest, sweeping_in
):
    japanese = make_reservation(make_property(ja_host), guest)
    english = make_reservation(make_property(host), ja_guest)
    later = max(japanese.created_at, english.created_at) + one_hour_window / 2
    with translation.override(sweeping_in):
        reminded = services.remind_hosts(now=later + timedelta(seconds=1))

    assert reminded == 2
    assert texts_to(ja_host)[-1].startswith("リマインダー：Gusさんが")
    assert texts_to(host)[-1].startswith("Reminder: Yui is waiting for your answer")


@pytest.mark.parametrize("sweeping_in", ["en", "ja"])
def test_the_sweeps_expiry_is_in_the_guests_language(
    one_hour_window, make_reservation, make_property, guest, ja_guest, host, ja_host, sweeping_in
):
    japanese = make_reservation(make_property(host), ja_guest)
    english = make_reservation(make_property(ja_host), guest)
    later = max(japanese.answer_by, english.answer_by)
    with translation.override(sweeping_in):
        expired = services.expire_overdue_requests(now=later + timedelta(seconds=1))

    assert expired == 2
    assert texts_to(ja_guest)[-1].startswith("Cabin by the lakeへのご宿泊リクエスト（")
    assert "期限内にお返事がなかったため失効しました。" in texts_to(ja_guest)[-1]
    assert texts_to(guest)[-1].startswith("Your request to stay at Cabin by the lake, ")
    assert "expired: Haruto did not answer in time." in texts_to(guest)[-1]


def test_a_text_given_as_a_string_is_refused_so_that_none_forgets_its_readers_language(ja_host):
    with pytest.raises(TypeError):
        text_person(ja_host, "You have a new reservation request")


def test_withdrawing_a_listing_declines_each_guest_in_their_own_language(
    login, host, guest, ja_guest, make_property, make_reservation
):
    listing = make_property(host)
    make_reservation(listing, ja_guest)
    make_reservation(listing, guest, check_in=days_from_now(20), check_out=days_from_now(22))

    login(host).post(
        reverse("property_withdraw", args=[listing.pk]), headers={"Accept-Language": "en"}
    )

    declined = texts_to(ja_guest)[-1]
    assert "掲載を終了したため" in declined
    assert declined.endswith("Airtngで別の宿泊先をお探しいただけます。")
    assert texts_to(guest)[-1].endswith("You can find another one on Airtng.")


def test_an_accept_declines_an_overlapping_request_in_its_guests_language(
    ja_host, guest, ja_guest, make_property, make_reservation
):
    listing = make_property(ja_host)
    first = make_reservation(listing, guest)
    make_reservation(listing, ja_guest)

    with translation.override("en"):
        services.decide_reservation(reservation=first, accepted=True, via="web")

    assert "その日程がほかのゲストによって予約されたため" in texts_to(ja_guest)[-1]
    assert texts_to(guest)[-1].startswith("Your recent request to stay at Cabin by the lake was")
