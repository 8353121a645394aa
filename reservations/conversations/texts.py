"""The words of conversations. Callers write each one inside speaking_to(its reader)."""

from django.conf import settings
from django.utils.translation import gettext as _


def relayed(author, body: str) -> str:
    """A message passed on from the proxy number: the sender's first name, then their words."""
    return _("%(name)s: %(message)s") % {"name": author.first_name, "message": body}


def new_message_notice(author, reservation, link: str) -> str:
    """Told from Airtng's own number when there is no proxy: that, not what, they wrote."""
    if link:
        return _(
            "%(name)s sent you a message about %(property)s on Airtng. Read it and reply "
            "at %(link)s"
        ) % {"name": author.first_name, "property": reservation.property.title, "link": link}
    return _("%(name)s sent you a message about %(property)s. Read it and reply on Airtng.") % {
        "name": author.first_name,
        "property": reservation.property.title,
    }


def proxy_help(other, reservation) -> str:
    return _(
        "Texts and calls to this number reach %(name)s, about %(property)s; neither of you "
        "sees the other's number. Reply STOP to stop texts."
    ) % {"name": other.first_name, "property": reservation.property.title}


def conversation_ends(other, reservation) -> str:
    """Sent from the proxy number as the conversation closes."""
    return _(
        "Your conversation with %(name)s about %(property)s has ended: this number no longer "
        "reaches them. For help, contact Airtng support at %(number)s."
    ) % {
        "name": other.first_name,
        "property": reservation.property.title,
        "number": settings.TWILIO_PHONE_NUMBER,
    }


def conversation_closed() -> str:
    return _(
        "This conversation has ended, so this number no longer reaches anyone. For help, "
        "contact Airtng support at %(number)s."
    ) % {"number": settings.TWILIO_PHONE_NUMBER}


def not_a_conversation() -> str:
    return _(
        "Sorry, this Airtng number only connects a guest and a host of a reservation. "
        "For help, contact Airtng support at %(number)s."
    ) % {"number": settings.TWILIO_PHONE_NUMBER}
