"""The words Airtng texts and replies, as ../shared/PRODUCT.md fixes them."""

from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The guest's message is quoted shortened, so that a request fits in a few SMS segments;
# the host reads it whole on the web.
QUOTED_MESSAGE_LENGTH = 160


def _guests(reservation):
    return ngettext("%(count)d guest", "%(count)d guests", reservation.guests) % {
        "count": reservation.guests
    }


def _day(day, format_name="STAY_DATE_FORMAT"):
    """A day as the reader's language writes it in a text (Fri, Dec 11), or says it
    (SPOKEN_DATE_FORMAT: December 11, 12月11日)."""
    pattern = get_format(format_name)
    if pattern == format_name:
        # A language without airtng/formats of its own: Django's own short form.
        pattern = get_format("MONTH_DAY_FORMAT")
    return date_format(day, pattern)


def _stay(reservation):
    return {
        "guest": reservation.guest.get_full_name() or reservation.guest.first_name,
        "property": reservation.property.title,
        "check_in": _day(reservation.check_in),
        "check_out": _day(reservation.check_out),
        "guests": _guests(reservation),
    }


def _quoted(message):
    message = " ".join(message.split())
    if len(message) <= QUOTED_MESSAGE_LENGTH:
        return message
    return message[: QUOTED_MESSAGE_LENGTH - 1].rstrip() + "…"


def new_request(reservation, *, link=None):
    """The host's SMS about a request; with `link`, it ends with the link instead of replies."""
    stay = {**_stay(reservation), "message": _quoted(reservation.message)}
    if link:
        return _(
            "You have a new reservation request from %(guest)s for %(property)s, "
            "%(check_in)s–%(check_out)s, %(guests)s:\n"
            '"%(message)s"\n'
            "Accept or reject it here: %(link)s"
        ) % {**stay, "link": link}
    return (
        _(
            "You have a new reservation request from %(guest)s for %(property)s, "
            "%(check_in)s–%(check_out)s, %(guests)s:\n"
            '"%(message)s"\n'
            "Reply accept or reject."
        )
        % stay
    )


def spoken_request(reservation):
    """A host's request read out on the phone, with the keys that answer it."""
    return _(
        "%(guest)s asks to stay at %(property)s from %(check_in)s to %(check_out)s, "
        "%(guests)s. Press 1 to accept, or 2 to reject."
    ) % {
        "guest": reservation.guest.first_name,
        "property": reservation.property.title,
        "check_in": _day(reservation.check_in, "SPOKEN_DATE_FORMAT"),
        "check_out": _day(reservation.check_out, "SPOKEN_DATE_FORMAT"),
        "guests": _guests(reservation),
    }


def pending_help(reservation):
    return _(
        "Reply accept or reject to the request from %(guest)s for %(property)s, "
        "%(check_in)s–%(check_out)s, %(guests)s."
    ) % _stay(reservation)


def host_decided(reservation, accepted):
    """The host's answer after deciding: the contract's sentence, then whom and when."""
    if accepted:
        text = _(
            "You have successfully confirmed the reservation. "
            "%(guest)s will stay at %(property)s, %(check_in)s–%(check_out)s, %(guests)s."
        )
    else:
        text = _(
            "You have successfully rejected the reservation. "
            "%(guest)s will be told that %(property)s is not free %(check_in)s–%(check_out)s."
        )
    return text % _stay(reservation)


def guest_outcome(reservation, accepted):
    """The guest's news: the contract's sentence, then the stay and what happens next."""
    if accepted:
        text = _(
            "Your recent request to stay at %(property)s was confirmed. "
            "%(check_in)s–%(check_out)s, %(guests)s. "
            "%(host)s expects you; your trip is under My trips on Airtng."
        )
    else:
        text = _(
            "Your recent request to stay at %(property)s was rejected. "
            "%(check_in)s–%(check_out)s, %(guests)s. "
            "Nothing was booked: you can request another place on Airtng."
        )
    return text % {**_stay(reservation), "host": reservation.property.host.first_name}


def nothing_to_answer():
    return _("Sorry, it looks like you don't have any reservations to respond to.")


def sms_help():
    return _(
        "Airtng: reply accept or reject to answer a reservation request. "
        "Reply STOP to stop texts, START to get them again."
    )


def stopped():
    """The answer to a STOP word Twilio does not know (停止): Twilio confirms its own."""
    return _("Airtng will not text you any more. Reply START to get texts again.")


def started():
    return _("Airtng will text you again. Reply STOP to stop.")


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


def host_reminder(reservation, *, link=None):
    if link:
        return _(
            "Reminder: %(guest)s is waiting for your answer to their request for %(property)s, "
            "%(check_in)s–%(check_out)s, %(guests)s. Accept or reject it by %(answer_by)s, "
            "or the request expires: %(link)s"
        ) % {**_people(reservation), "link": link}
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


def host_replied_to_ended(reservation):
    """What a host who answers a request that has ended hears, by SMS or on the phone."""
    Status = reservation.Status
    withdrawn_at = reservation.property.withdrawn_at
    if reservation.status == Status.CANCELLED:
        text = _(
            "%(guest)s has cancelled their request to stay at %(property)s, "
            "%(check_in)s–%(check_out)s, so there is nothing to answer."
        )
    elif reservation.status == Status.EXPIRED:
        text = _(
            "The request from %(guest)s to stay at %(property)s, %(check_in)s–%(check_out)s, "
            "expired before you answered, so there is nothing to answer."
        )
    # Withdrawing a listing declines its pending requests after marking it withdrawn; a
    # request declined before that was declined for an overlap.
    elif reservation.status == Status.DECLINED and (
        withdrawn_at and reservation.decided_at and withdrawn_at <= reservation.decided_at
    ):
        text = _(
            "The request from %(guest)s to stay at %(property)s, %(check_in)s–%(check_out)s, "
            "was declined: you withdrew the listing, so there is nothing to answer."
        )
    elif reservation.status == Status.DECLINED:
        text = _(
            "The request from %(guest)s to stay at %(property)s, %(check_in)s–%(check_out)s, "
            "was declined: those nights were booked by another guest, so there is nothing to "
            "answer."
        )
    else:
        return _("This request was already decided.")
    return text % _stay(reservation)
