"""The words Airtng texts and replies, as ../shared/PRODUCT.md fixes them."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# A guest's message is at most 1,000 characters; the SMS around it must stay under
# Twilio's 1,600.
QUOTED_MESSAGE_LENGTH = 1000


def _guests(reservation):
    return ngettext("%(count)d guest", "%(count)d guests", reservation.guests) % {
        "count": reservation.guests
    }


def _stay(reservation):
    return {
        "guest": reservation.guest.get_full_name() or reservation.guest.first_name,
        "property": reservation.property.title,
        "check_in": reservation.check_in.isoformat(),
        "check_out": reservation.check_out.isoformat(),
        "guests": _guests(reservation),
    }


def new_request(reservation):
    message = " ".join(reservation.message.split())[:QUOTED_MESSAGE_LENGTH]
    return _(
        "You have a new reservation request from %(guest)s for %(property)s, "
        "%(check_in)s–%(check_out)s, %(guests)s:\n"
        '"%(message)s"\n'
        "Reply accept or reject."
    ) % {**_stay(reservation), "message": message}


def spoken_request(reservation):
    """A host's request read out on the phone, with the keys that answer it."""
    return _(
        "%(guest)s asks to stay at %(property)s from %(check_in)s to %(check_out)s, "
        "%(guests)s. Press 1 to accept, or 2 to reject."
    ) % {
        "guest": reservation.guest.first_name,
        "property": reservation.property.title,
        "check_in": date_format(reservation.check_in, "F j"),
        "check_out": date_format(reservation.check_out, "F j"),
        "guests": _guests(reservation),
    }


def pending_help(reservation):
    return _(
        "Reply accept or reject to the request from %(guest)s for %(property)s, "
        "%(check_in)s–%(check_out)s, %(guests)s."
    ) % _stay(reservation)


def host_decided(accepted):
    if accepted:
        return _("You have successfully confirmed the reservation.")
    return _("You have successfully rejected the reservation.")


def guest_outcome(reservation, accepted):
    if accepted:
        text = _("Your recent request to stay at %(property)s was confirmed.")
    else:
        text = _("Your recent request to stay at %(property)s was rejected.")
    return text % {"property": reservation.property.title}


def nothing_to_answer():
    return _("Sorry, it looks like you don't have any reservations to respond to.")


def sms_help():
    return _(
        "Airtng: reply accept or reject to answer a reservation request. "
        "Reply STOP to stop texts, START to get them again."
    )
