"""request_stay itself refuses what no channel may ask for: the web, the admin and the shell."""

import pytest

from reservations import services
from reservations.models import MAX_MESSAGE_LENGTH, Reservation
from tests.conftest import days_from_now


def ask(guest, listing, *, check_in=10, nights=3, guests=2, message="Hello!"):
    return services.request_stay(
        guest=guest,
        property=listing,
        check_in=days_from_now(check_in),
        check_out=days_from_now(check_in + nights),
        guests=guests,
        message=message,
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"check_in": 0}, "Check-in must be in the future."),
        ({"nights": -1}, "Check-out must be after check-in."),
        ({"nights": 31}, "A stay can be at most 30 nights."),
        ({"guests": 0}, "A stay is for at least one guest."),
        ({"guests": 5}, "This property sleeps at most 4 guests."),
        ({"message": "  "}, "Write a message to the host."),
        ({"message": "x" * (MAX_MESSAGE_LENGTH + 1)}, "A message can be at most 1000 characters."),
    ],
)
def test_a_request_no_channel_may_make_is_refused_with_its_reason(guest, listing, change, error):
    with pytest.raises(services.ReservationError) as refused:
        ask(guest, listing, **change)

    assert str(refused.value.message) == error
    assert not Reservation.objects.exists()


def test_the_host_cannot_ask_for_their_own_listing(host, listing):
    with pytest.raises(services.ReservationError, match="your own property"):
        ask(host, listing)


def test_a_guest_with_an_unverified_phone_cannot_ask(make_user, listing):
    with pytest.raises(services.ReservationError, match="verify their phone number"):
        ask(make_user(phone_verified=False), listing)


def test_a_request_within_the_rules_is_pending(guest, listing):
    assert ask(guest, listing, nights=30).status == Reservation.Status.PENDING
