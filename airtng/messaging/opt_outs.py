"""STOP and START belong to a phone number, as at Twilio, not to whoever owns it."""

from phonenumber_field.phonenumber import to_python

from .models import OptOut


def e164(number) -> str:
    """The number as Twilio writes it (+12015550123), or as given if it is not one."""
    parsed = to_python(str(number).strip())
    return parsed.as_e164 if parsed and parsed.is_valid() else str(number).strip()[:32]


def opt_out(*, phone_number, reason: OptOut.Reason) -> None:
    """Text `phone_number` no more until it replies START."""
    OptOut.objects.get_or_create(phone_number=e164(phone_number), defaults={"reason": reason})


def opt_in(*, phone_number) -> bool:
    """Lift the number's opt-out; True if it had one."""
    deleted, _ = OptOut.objects.filter(phone_number=e164(phone_number)).delete()
    return bool(deleted)


def is_opted_out(phone_number) -> bool:
    return OptOut.objects.filter(phone_number=e164(phone_number)).exists()
