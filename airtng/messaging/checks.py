from django.conf import settings
from django.core.checks import Error, Tags, register

from airtng.twilio import twilio_is_configured


def sms_would_only_be_recorded():
    """True where SMS would be marked sent without leaving, and nobody asked for that."""
    return not (settings.DEBUG or settings.SMS_RECORD_ONLY or twilio_is_configured())


@register("airtng", Tags.security, deploy=True)
def check_twilio_credentials(app_configs, **kwargs):
    if not sms_would_only_be_recorded():
        return []
    return [
        Error(
            "No Twilio credentials: no SMS would leave Airtng.",
            hint="Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or SMS_RECORD_ONLY=true to only "
            "record each SMS on purpose.",
            id="airtng.E002",
        )
    ]
