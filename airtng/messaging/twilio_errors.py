"""What the Twilio error codes Airtng meets mean, as Twilio documents them, for staff."""

from django.utils.translation import gettext_lazy as _

# Twilio's answers to a send (2xxxx) and its carriers' delivery errors (3xxxx).
TWILIO_ERRORS = {
    20003: _("Twilio refused our credentials (authentication error)."),
    20404: _("Twilio could not find the requested resource."),
    20429: _("Too many requests: Twilio asked us to slow down."),
    20500: _("An internal error at Twilio."),
    20503: _("Twilio's service was unavailable."),
    21211: _("The 'To' number is not a valid phone number."),
    21408: _("Texting the 'To' number's country is not enabled for the account."),
    21602: _("The message had no body."),
    21604: _("The message had no 'To' number."),
    21610: _("The number replied STOP: it is unsubscribed until it replies START."),
    21614: _("The 'To' number is not a mobile number that can receive SMS."),
    30003: _("The handset is unreachable: switched off, out of coverage or unable to take SMS."),
    30004: _("The message was blocked: the recipient or their carrier blocks it."),
    30005: _("The number is unknown to its carrier or no longer in service."),
    30006: _("A landline, or a carrier that cannot be reached, cannot receive the message."),
    30007: _("The carrier filtered the message as spam or against its rules."),
    30008: _("Delivery failed for a reason the carrier did not give (unknown error)."),
    30034: _("US carriers blocked it: the sending number is not registered for A2P 10DLC."),
}


def error_meaning(code: int | None) -> str:
    """What `code` means, or an empty string for no code or one Airtng does not know."""
    if code is None:
        return ""
    return str(TWILIO_ERRORS.get(code, ""))
