import re

from django.http import HttpResponse

from airtng.twilio import twilio_webhook

from . import services

TWILIO_ERROR_CODE = re.compile(r"[0-9]{1,6}")
MESSAGE_ID = re.compile(r"[0-9]{1,18}")


@twilio_webhook()
def sms_status(request):
    """Twilio's delivery status callback for an SMS Airtng sent."""
    error_code = request.POST.get("ErrorCode", "")
    message_id = request.GET.get("message", "")
    services.record_status(
        sid=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=int(error_code) if TWILIO_ERROR_CODE.fullmatch(error_code) else None,
        message_id=int(message_id) if MESSAGE_ID.fullmatch(message_id) else None,
    )
    return HttpResponse(status=204)
