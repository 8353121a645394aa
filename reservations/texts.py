"""The words Airtng texts and replies, as ../shared/PRODUCT.md fixes them."""

from django.utils import timezone
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


def _answer_by(reservation):
    return date_format(timezone.localtime(reservation.answer_by), "DATETIME_FORMAT")


def _people(reservation):
    return {
        **_stay(reservation),
        "host": reservation.host.first_name,
        "answer_by": _answer_by(reservation),
    }


def request_sent(reservation):
    return _(
        "Your request to stay at %(property)s, %(check_in)s–%(check_out)s, was sent to "
        "%(host)s, who has until %(answer_by)s to answer. We will text you the answer."
    ) % _people(reservation)


def host_reminder(reservation):
    return _(
        "Reminder: %(guest)s is waiting for your answer to their request for %(property)s, "
        "%(check_in)s–%(check_out)s, %(guests)s. Reply accept or reject by %(answer_by)s, "
        "or the request expires."
    ) % _people(reservation)


def guest_expired(reservation):
    return _(
        "Your request to stay at %(property)s, %(check_in)s–%(check_out)s, expired: "
        "%(host)s did not answer in time. You can request another stay on Airtng."
    ) % _people(reservation)


def guest_declined_overlap(reservation):
    return _(
        "Your request to stay at %(property)s, %(check_in)s–%(check_out)s, was declined: "
        "those dates were just booked by another guest. You can request other dates on Airtng."
    ) % _people(reservation)


def guest_declined_withdrawn(reservation):
    return _(
        "Your request to stay at %(property)s, %(check_in)s–%(check_out)s, was declined: "
        "%(host)s no longer offers the place. You can find another one on Airtng."
    ) % _people(reservation)


def host_guest_cancelled(reservation, *, was_confirmed):
    if was_confirmed:
        text = _(
            "%(guest)s has cancelled their stay at %(property)s, %(check_in)s–%(check_out)s. "
            "Those nights are free again."
        )
    else:
        text = _(
            "%(guest)s has cancelled their request to stay at %(property)s, "
            "%(check_in)s–%(check_out)s. There is nothing to answer."
        )
    return text % _people(reservation)


def host_replied_to_cancelled(reservation):
    return _(
        "%(guest)s has cancelled their request to stay at %(property)s, "
        "%(check_in)s–%(check_out)s, so there is nothing to answer."
    ) % _people(reservation)
