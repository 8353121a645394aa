from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from twilio.twiml.messaging_response import MessagingResponse

from accounts.decorators import verified_phone_required
from accounts.languages import language_of
from airtng.twilio import twilio_webhook, twiml
from properties.calendar import listing_calendar
from properties.models import Property

from . import services, texts
from .conversations.proxies import is_proxy_number
from .conversations.relay import relay_sms
from .conversations.thread import read_thread
from .forms import StayRequestForm
from .models import Reservation


@verified_phone_required
def request_stay(request, property_pk):
    if request.method != "POST":
        listing = get_object_or_404(Property, pk=property_pk)
        return redirect(listing.get_absolute_url() + "#request")
    # The service reads the listing, under its host's lock; a refusal reads it to show it.
    form = StayRequestForm(request.POST)
    if form.is_valid():
        try:
            reservation = services.request_stay(
                guest=request.user, property=Property(pk=property_pk), **form.cleaned_data
            )
        except Property.DoesNotExist:
            raise Http404 from None
        except services.ReservationError as refused:
            form.add_refusal(refused)
        else:
            tell_guest_request_sent(request, host=reservation.property.host)
            return redirect("my_trips")
    listing = get_object_or_404(Property.objects.select_related("host"), pk=property_pk)
    form.show_listing(listing)
    calendar = listing_calendar(listing=listing, today=timezone.localdate())
    return render(
        request,
        "properties/detail.html",
        {"listing": listing, "form": form, "calendar": calendar},
        status=400,
    )


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


CHOICES = {"accept": True, "reject": False}


@never_cache
@require_http_methods(["GET", "POST"])
def decision_link(request, token):
    """A host's decision link: GET shows the request, POST asks once more, then decides.

    The signed token is the host's key, so no log-in; the page speaks the host's language.
    """
    reservation = services.request_of_link(token)
    if reservation is None:
        raise Http404
    choice = request.POST.get("choice") if request.method == "POST" else None
    context = {"reservation": reservation, "token": token, "step": "show"}
    if choice in CHOICES and request.POST.get("confirmed") == "yes":
        try:
            reservation = services.decide_by_link(reservation=reservation, accepted=CHOICES[choice])
        except services.NotPending:
            reservation.refresh_from_db()  # ended meanwhile: the page says what ended it
        except services.ReservationError as refused:
            context["refusal"] = refused.message
        else:
            context.update(step="done", accepted=CHOICES[choice])
    elif choice in CHOICES:
        context.update(step="confirm", choice=choice, accepted=CHOICES[choice])
    context["reservation"] = reservation
    with translation.override(language_of(reservation.host)):
        if context["step"] == "done":
            context["said"] = texts.host_decided(reservation, context["accepted"])
        elif not services.link_is_open(reservation):
            context.update(step="ended", said=link_ended(reservation))
        return render(request, "reservations/decision_link.html", context)


def link_ended(reservation):
    if reservation.status == Reservation.Status.PENDING:
        return _("The time to answer this request has run out, so there is nothing to answer.")
    return texts.host_replied_to_ended(reservation)
