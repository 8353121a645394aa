from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from twilio.twiml.messaging_response import MessagingResponse

from accounts.decorators import verified_phone_required
from airtng.twilio import twilio_webhook, twiml
from properties.models import Property

from . import services
from .conversations.proxies import is_proxy_number
from .conversations.relay import relay_sms
from .conversations.thread import read_thread
from .forms import StayRequestForm
from .models import Reservation


@verified_phone_required
def request_stay(request, property_pk):
    listing = get_object_or_404(Property.objects.select_related("host"), pk=property_pk)
    if request.method != "POST":
        return redirect(listing.get_absolute_url() + "#request")
    form = StayRequestForm(request.POST, listing=listing)
    if form.is_valid():
        try:
            services.request_stay(guest=request.user, property=listing, **form.cleaned_data)
        except services.ReservationError as refused:
            form.add_refusal(refused)
        else:
            tell_guest_request_sent(request, host=listing.host)
            return redirect("my_trips")
    return render(request, "properties/detail.html", {"listing": listing, "form": form}, status=400)


def tell_guest_request_sent(request, *, host):
    messages.success(request, _("Your request was sent to %(host)s.") % {"host": host.first_name})
    if not host.can_be_texted:
        messages.warning(
            request,
            _("%(host)s cannot be texted, so Airtng will ask them on the web.")
            % {"host": host.first_name},
        )


@login_required
def my_trips(request):
    return render(request, "reservations/trips.html", {"trips": services.trips_for(request.user)})


@login_required
def trip(request, pk):
    reservation = get_object_or_404(services.trips_for(request.user), pk=pk)
    return render(
        request,
        "reservations/trip.html",
        {
            "reservation": reservation,
            "timeline": services.timeline_for(reservation),
            "thread": read_thread(reservation, reader=request.user),
        },
    )


@login_required
def host_request(request, pk):
    reservation = get_object_or_404(
        services.requests_for_host(request.user).select_related("property__host"), pk=pk
    )
    return render(
        request,
        "reservations/request.html",
        {
            "reservation": reservation,
            "timeline": services.timeline_for(reservation),
            "thread": read_thread(reservation, reader=request.user),
        },
    )


@login_required
def host_requests(request):
    return render(
        request,
        "reservations/requests.html",
        {"requests": services.requests_for_host(request.user)},
    )


@login_required
@require_POST
def decide(request, pk, accepted):
    reservation = get_object_or_404(Reservation, pk=pk, property__host=request.user)
    try:
        services.decide_reservation(
            reservation=reservation,
            accepted=accepted,
            via=Reservation.Channel.WEB,
        )
    except services.ReservationError as refused:
        messages.error(request, refused.message)
    else:
        if accepted:
            messages.success(request, _("You confirmed the stay."))
        else:
            messages.success(request, _("You rejected the request."))
    return redirect("host_requests")


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, pk):
    reservation = get_object_or_404(
        Reservation.objects.select_related("property"), pk=pk, guest=request.user
    )
    if request.method == "GET":
        if not reservation.can_cancel():
            messages.error(request, services.CannotCancel.message)
            return redirect("my_trips")
        return render(request, "reservations/cancel.html", {"reservation": reservation})
    try:
        services.cancel_reservation(reservation=reservation, guest=request.user)
    except services.ReservationError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Your stay was cancelled."))
    return redirect("my_trips")


@twilio_webhook()
def incoming_sms(request):
    """An SMS to Airtng's number, most often a host answering a request, or to a proxy."""
    if is_proxy_number(request.POST.get("To", "")):
        reply = relay_sms(
            sid=request.POST.get("MessageSid"),
            from_number=request.POST.get("From", ""),
            proxy_number=request.POST["To"],
            body=request.POST.get("Body", ""),
        )
    else:
        reply = services.answer_host_sms(
            sid=request.POST.get("MessageSid"),
            from_number=request.POST.get("From", ""),
            body=request.POST.get("Body", ""),
        )
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return twiml(response)
