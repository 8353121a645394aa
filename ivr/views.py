from django.http import Http404, HttpResponse

from airtng.twilio import twilio_webhook, twiml
from reservations.conversations.proxies import is_proxy_number
from reservations.conversations.relay import relay_call

from . import calls, voice_line
from .call_log import logged_step
from .tree import REVISION_COOKIE, REVISION_COOKIE_PATH, answer_step


def twilio_params(request):
    """Twilio sends its parameters in the query string or the body, as configured."""
    return request.POST if request.method == "POST" else request.GET


@twilio_webhook(methods=("GET", "POST"))
@logged_step
def phone_tree(request, slug):
    """A step of the phone tree: a menu played at its entry, or the key pressed at it.

    On the revision the call started on, which a cookie names (ivr/tree.py). Twilio's POSTs
    are mostly answered before Django, by the same `answer_step` (ivr/webhooks_first.py).
    """
    params = twilio_params(request)
    answer = answer_step(
        slug,
        call_sid=params.get("CallSid", "")[:64],
        caller=params.get("From", ""),
        digits=params.get("Digits"),
        cookie=request.COOKIES.get(REVISION_COOKIE),
    )
    if answer is None:
        raise Http404
    response = twiml(answer.document)
    if answer.cookie is not None:  # a call is pinned where it starts
        response.set_cookie(
            REVISION_COOKIE, answer.cookie, path=REVISION_COOKIE_PATH, httponly=True
        )
    return response


@twilio_webhook(methods=("GET", "POST"))
@logged_step
def voice(request):
    params = twilio_params(request)
    if is_proxy_number(params.get("To", "")):
        return twiml(
            relay_call(
                call_sid=params.get("CallSid", "")[:64],
                from_number=params.get("From", ""),
                proxy_number=params["To"],
            )
        )
    return twiml(
        voice_line.greet(
            caller=params.get("From", ""),
            call_sid=params.get("CallSid", "")[:64],
            stir_verstat=params.get("StirVerstat", ""),
            state=request.GET.get("state", ""),
            digits=params.get("Digits", ""),
        )
    )


@twilio_webhook(methods=("GET", "POST"))
@logged_step
def voice_decision(request):
    params = twilio_params(request)
    return twiml(
        voice_line.decide_by_keypad(
            call_sid=params.get("CallSid", "")[:64],
            caller=params.get("From", ""),
            state=request.GET.get("state", ""),
            digits=params.get("Digits", ""),
        )
    )


@twilio_webhook()
def voice_status(request):
    """Twilio's status callback of a call Airtng placed, or answered (the number's status
    callback): nothing to say, only to record."""
    number = request.GET.get("call", "")
    attempt = request.GET.get("attempt", "")
    calls.record_call_status(
        sid=request.POST.get("CallSid", "")[:64],
        status=request.POST.get("CallStatus", ""),
        duration=request.POST.get("CallDuration", "")[:9],
        call_id=int(number) if number.isdigit() and len(number) < 18 else None,
        attempt=int(attempt) if attempt.isdigit() and len(attempt) < 4 else None,
        twilio_direction=request.POST.get("Direction", ""),
        from_number=request.POST.get("From", ""),
        to=request.POST.get("To", ""),
    )
    return HttpResponse(status=204)
