from django.http import HttpResponse
from django.urls import path

# About the size of /ivr/welcome's answer, so both send the same bytes back.
TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response>'
    '<Gather action="/ivr/menu" method="POST" numDigits="1"><Say loop="3">'
    "Thanks for calling the E T Phone Home Service. "
    "Please press 1 for directions. Press 2 for a list of planets to call."
    "</Say></Gather></Response>"
)


def constant_twiml(request):
    return HttpResponse(TWIML, content_type="text/xml; charset=utf-8")


urlpatterns = [path("voice", constant_twiml)]
