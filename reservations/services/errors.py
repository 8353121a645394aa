from django.utils.translation import gettext_lazy as _


class ReservationError(Exception):
    """A request the product refuses; `message` is fit to show the user."""

    message = _("That cannot be done.")

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
