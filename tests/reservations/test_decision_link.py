"""A host who cannot reply by SMS decides through the link their request SMS ends with.

../shared/PRODUCT.md, "Deciding without SMS": single-use, expires with the request, no log-in,
one confirmed tap; GET shows, POST decides.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from airtng.messaging.models import Direction, Message
from reservations import services
from reservations.models import Reservation
from tests.conftest import days_from_now

PUBLIC = "https://airtng.example.com"
JAPANESE_NUMBER = "+819012345678"
LINK = re.compile(re.escape(PUBLIC) + r"(/d/[^\s]+)$")
Status = Reservation.Status


@pytest.fixture(autouse=True)
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = PUBLIC


@pytest.fixture
def host_in_japan(make_user):
    return make_user(first_name="Haruto", email="haruto@example.com", phone_number=JAPANESE_NUMBER)


def texts_to(user):
    return list(
        Message.objects.filter(direction=Direction.OUTBOUND, to=str(user.phone_number))
        .order_by("id")
        .values_list("body", flat=True)
    )


def link_in(body):
    match = LINK.search(body)
    assert match, body
    return match.group(1)


@pytest.fixture
def requested(make_property, make_reservation, guest):
    """Gus requests a stay at `host`'s cabin; returns the request and the link texted."""

    def request(host, **fields):
        reservation = make_reservation(make_property(host), guest, **fields)
        return reservation, link_in(texts_to(host)[-1])

    return request


def test_a_host_in_japan_gets_a_link_instead_of_reply_words(host_in_japan, requested):
    reservation, link = requested(host_in_japan)

    [sent] = texts_to(host_in_japan)
    assert "Reply accept or reject" not in sent
    assert sent.startswith("You have a new reservation request from Gus for Cabin by the lake")
    assert sent.endswith(f"Accept or reject it here: {PUBLIC}{link}")


@pytest.mark.parametrize("decide_by", ["link", "call"])
def test_a_host_who_prefers_it_gets_the_link_too(make_user, requested, decide_by):
    host = make_user(decide_by=decide_by)

    requested(host)

    assert "Accept or reject it here: " in texts_to(host)[-1]


def test_a_host_who_replies_by_sms_gets_the_reply_words(host, listing, guest, make_reservation):
    make_reservation(listing, guest)

    [sent] = texts_to(host)
    assert sent.endswith("Reply accept or reject.")
    assert "/d/" not in sent


def test_without_public_base_url_the_link_is_the_sites_own_path(
    settings, host_in_japan, make_property, make_reservation, guest
):
    settings.PUBLIC_BASE_URL = ""

    make_reservation(make_property(host_in_japan), guest)

    assert re.search(r"Accept or reject it here: /d/\S+$", texts_to(host_in_japan)[-1])


def test_the_link_shows_the_request_without_logging_in(client, host_in_japan, requested):
    _, link = requested(host_in_japan, message="Two quiet birdwatchers.")

    page = client.get(link)

    assert page.status_code == 200
    assert "Gus → Cabin by the lake" in page.text
    assert "Two quiet birdwatchers." in page.text
    assert 'value="accept"' in page.text and 'value="reject"' in page.text
    assert "no-cache" in page["Cache-Control"]


def test_a_tap_asks_once_more_and_decides_nothing_yet(client, host_in_japan, requested):
    reservation, link = requested(host_in_japan)

    page = client.post(link, {"choice": "accept"})

    assert page.status_code == 200
    assert "Accept the request from Gus? They will be told at once." in page.text
    assert 'name="confirmed" value="yes"' in page.text
    reservation.refresh_from_db()
    assert reservation.status == Status.PENDING


def test_the_confirmed_tap_accepts_and_texts_the_guest(client, host_in_japan, guest, requested):
    reservation, link = requested(host_in_japan)

    page = client.post(link, {"choice": "accept", "confirmed": "yes"})

    assert page.status_code == 200
    assert "You have successfully confirmed the reservation." in page.text
    assert "status-confirmed" in page.text
    reservation.refresh_from_db()
    assert (reservation.status, reservation.decided_via) == (Status.CONFIRMED, "link")
    assert texts_to(guest)[-1].startswith(
        "Your recent request to stay at Cabin by the lake was confirmed."
    )


def test_the_confirmed_tap_rejects(client, host_in_japan, guest, requested):
    reservation, link = requested(host_in_japan)

    page = client.post(link, {"choice": "reject", "confirmed": "yes"})

    assert "You have successfully rejected the reservation." in page.text
    reservation.refresh_from_db()
    assert reservation.status == Status.REJECTED
    assert "was rejected." in texts_to(guest)[-1]


def test_a_used_link_says_so_and_decides_nothing_more(client, host_in_japan, guest, requested):
    reservation, link = requested(host_in_japan)
    client.post(link, {"choice": "accept", "confirmed": "yes"})
    guest_texts = len(texts_to(guest))

    shown = client.get(link)
    again = client.post(link, {"choice": "reject", "confirmed": "yes"})

    for page in (shown, again):
        assert page.status_code == 200
        assert "This request was already decided." in page.text
        assert 'value="reject"' not in page.text
    reservation.refresh_from_db()
    assert reservation.status == Status.CONFIRMED
    assert len(texts_to(guest)) == guest_texts


def test_the_link_ends_when_the_guest_cancels(client, host_in_japan, guest, requested):
    reservation, link = requested(host_in_japan)
    services.cancel_reservation(reservation=reservation, guest=guest)

    page = client.post(link, {"choice": "accept", "confirmed": "yes"})

    assert "Gus has cancelled their request to stay at Cabin by the lake" in page.text
    reservation.refresh_from_db()
    assert reservation.status == Status.CANCELLED


def test_the_link_ends_with_the_reply_window_even_before_the_sweep(
    client, host_in_japan, requested, settings
):
    reservation, link = requested(host_in_japan)
    Reservation.objects.filter(pk=reservation.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.HOST_REPLY_WINDOW_MINUTES + 1)
    )

    page = client.post(link, {"choice": "accept", "confirmed": "yes"})

    assert "The time to answer this request has run out" in page.text
    reservation.refresh_from_db()
    assert reservation.status == Status.PENDING  # the sweep expires it and tells the guest


def test_an_expired_request_says_so(client, host_in_japan, requested):
    reservation, link = requested(host_in_japan)
    services.expire_overdue_requests(now=reservation.answer_by + timedelta(seconds=1))

    page = client.get(link)

    assert "expired before you answered, so there is nothing to answer." in page.text


def test_an_overlap_is_refused_politely_and_the_link_stays_open(
    client, host_in_japan, make_property, make_reservation, make_user, guest
):
    cabin = make_property(host_in_japan)
    first = make_reservation(cabin, guest)
    link = link_in(texts_to(host_in_japan)[-1])
    other = make_reservation(cabin, make_user())
    # Another way in confirmed an overlapping stay behind the request's back.
    Reservation.objects.filter(pk=other.pk).update(status=Status.CONFIRMED)

    page = client.post(link, {"choice": "accept", "confirmed": "yes"})

    assert page.status_code == 200
    assert "Those dates overlap a confirmed stay at this property." in page.text
    first.refresh_from_db()
    assert first.status == Status.PENDING


@pytest.mark.parametrize(
    "token",
    ["garbage", "1", "1:", "1:AAAA", "%00", "x" * 3000, "１:abc", "9999999999:abc"],
)
def test_a_wrong_token_is_not_found(client, db, token):
    assert client.get(f"/d/{token}").status_code == 404
    assert client.post(f"/d/{token}", {"choice": "accept", "confirmed": "yes"}).status_code == 404


def test_a_token_changed_to_name_another_request_is_not_found(
    client, host_in_japan, requested, make_property, make_user
):
    reservation, link = requested(host_in_japan)
    other, _ = requested(
        make_user(phone_number="+819012345679"),
        check_in=days_from_now(40),
        check_out=days_from_now(42),
    )
    signature = link.rsplit(":", 1)[1]

    forged = f"/d/{other.pk}:{signature}"

    assert client.post(forged, {"choice": "accept", "confirmed": "yes"}).status_code == 404
    other.refresh_from_db()
    assert other.status == Status.PENDING


def test_a_link_for_one_request_cannot_decide_the_hosts_next(
    client, host_in_japan, make_property, make_reservation, make_user, guest
):
    cabin = make_property(host_in_japan)
    make_reservation(cabin, guest)
    first_link = link_in(texts_to(host_in_japan)[-1])
    second = make_reservation(
        cabin, make_user(), check_in=days_from_now(40), check_out=days_from_now(42)
    )
    client.post(first_link, {"choice": "reject", "confirmed": "yes"})
    second_link = link_in(texts_to(host_in_japan)[-1])

    client.post(first_link, {"choice": "accept", "confirmed": "yes"})

    second.refresh_from_db()
    assert second.status == Status.PENDING
    assert second_link != first_link


def test_the_reminder_carries_the_link(host_in_japan, requested):
    reservation, link = requested(host_in_japan)

    services.remind_hosts(
        now=reservation.created_at
        + (reservation.answer_by - reservation.created_at) / 2
        + timedelta(seconds=1)
    )

    assert texts_to(host_in_japan)[-1].endswith(f"or the request expires: {PUBLIC}{link}")


def test_other_methods_are_refused(client, host_in_japan, requested):
    _, link = requested(host_in_japan)

    assert client.put(link).status_code == 405
