from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reservations.models import MAX_MESSAGE_LENGTH, MAX_NIGHTS


class ReservationError(Exception):
    """A request the product refuses; `message` is fit to show the user.

    `field` names the argument that is wrong, if one is: a form shows the message there.
    """

    message = _("That cannot be done.")
    field = None

    def __str__(self):
        return str(self.message)


class NotPending(ReservationError):
    message = _("This request was already decided.")


class OverlapsConfirmedStay(ReservationError):
    message = _("Those dates overlap a confirmed stay at this property.")


class CannotCancel(ReservationError):
    message = _("Only a pending or confirmed stay that has not started can be cancelled.")


class ListingWithdrawn(ReservationError):
    message = _("This place is no longer offered.")


class CheckInNotInFuture(ReservationError):
    message = _("Check-in must be in the future.")
    field = "check_in"


class CheckOutNotAfterCheckIn(ReservationError):
    message = _("Check-out must be after check-in.")
    field = "check_out"


class StayTooLong(ReservationError):
    field = "check_out"

    @property
    def message(self):
        return _("A stay can be at most %(nights)d nights.") % {"nights": MAX_NIGHTS}


class TooManyGuests(ReservationError):
    field = "guests"

    def __init__(self, *, max_guests: int):
        super().__init__()
        self.max_guests = max_guests

    @property
    def message(self):
        return ngettext(
            "This property sleeps at most %(count)d guest.",
            "This property sleeps at most %(count)d guests.",
            self.max_guests,
        ) % {"count": self.max_guests}


class NoGuests(ReservationError):
    message = _("A stay is for at least one guest.")
    field = "guests"


class OwnProperty(ReservationError):
    message = _("You cannot request a stay at your own property.")


class GuestPhoneUnverified(ReservationError):
    message = _("The guest must verify their phone number before requesting a stay.")


class MessageMissing(ReservationError):
    message = _("Write a message to the host.")
    field = "message"


class MessageTooLong(ReservationError):
    field = "message"

    @property
    def message(self):
        return _("A message can be at most %(count)d characters.") % {"count": MAX_MESSAGE_LENGTH}


class AlreadyBooked(ReservationError):
    message = _("The property is already booked for some of those nights.")
