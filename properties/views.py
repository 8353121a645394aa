from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import verified_phone_required
from reservations.forms import StayRequestForm
from reservations.services import confirmed_stays_overlapping

from . import services
from .calendar import listing_calendar
from .forms import PhotoUploadForm, PropertyForm
from .models import Property
from .pages import page_number, page_of
from .search import SearchForm, listings_matching


def home(request):
    search = SearchForm(request.GET)
    if not search.is_valid():
        return render(request, "properties/home.html", {"search": search}, status=400)
    criteria = {name: value for name, value in search.cleaned_data.items() if value}
    listings = listings_matching(**criteria).with_cover()
    page = page_of(listings, page_number(request.GET.get("page")))
    return render(
        request,
        "properties/home.html",
        {
            "search": search,
            "searching": bool(criteria.keys() - {"sort"}),
            "by_newest": criteria.get("sort", "newest") == "newest",
            "page": page,
            # Carried to each listing's page: its total and its request form.
            "stay_query": urlencode(search.stay()),
        },
        status=404 if page.is_past_the_end else 200,
    )


def property_detail(request, pk):
    listing = get_object_or_404(Property.objects.select_related("host"), pk=pk)
    chosen = SearchForm(request.GET)
    stay = chosen.stay() if chosen.is_valid() else {}
    context = {
        "listing": listing,
        "form": StayRequestForm(listing=listing, initial=stay),
        "calendar": listing_calendar(listing=listing, today=timezone.localdate()),
    }
    if "check_in" in stay:
        context["quote"] = quote(listing, stay["check_in"], stay["check_out"])
    return render(request, "properties/detail.html", context)


def quote(listing, check_in, check_out):
    """The chosen dates' total, and whether a confirmed stay takes any of their nights."""
    nights = (check_out - check_in).days
    return {
        "check_in": check_in,
        "check_out": check_out,
        "nights": nights,
        "total": listing.price_of_stay(nights),
        "booked": confirmed_stays_overlapping(
            property=listing, check_in=check_in, check_out=check_out
        ).exists(),
    }


@login_required
def host_calendar(request, pk):
    listing = get_object_or_404(Property, pk=pk, host=request.user)
    calendar = listing_calendar(listing=listing, today=timezone.localdate(), for_host=True)
    return render(
        request, "properties/host_calendar.html", {"listing": listing, "calendar": calendar}
    )


@login_required
def my_listings(request):
    listings = request.user.properties.with_cover()
    return render(request, "properties/mine.html", {"listings": listings})


@verified_phone_required
def property_create(request):
    form = PropertyForm(request.POST or None, request.FILES or None, host=request.user)
    if request.method == "POST" and form.is_valid():
        form.instance.host = request.user
        try:
            with transaction.atomic():
                listing = form.save()
                services.add_photos(listing=listing, photos=form.cleaned_data["photos"])
        except services.PhotoError as refused:
            form.instance.pk = None
            form.add_error("photos", refused.message)
        else:
            messages.success(request, _("Your property is listed."))
            return redirect(listing)
    return render(request, "properties/form.html", {"form": form})


@login_required
def property_edit(request, pk):
    listing = get_object_or_404(Property, pk=pk, host=request.user)
    form = PropertyForm(request.POST or None, request.FILES or None, instance=listing)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your changes were saved."))
        return redirect(listing)
    context = {"form": form, "listing": listing, "photo_form": PhotoUploadForm()}
    return render(request, "properties/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def property_delete(request, pk):
    listing = get_object_or_404(Property, pk=pk, host=request.user)
    if request.method == "POST":
        try:
            deleted = services.delete_listing(listing=listing)
        except services.HasFutureStays as refused:
            messages.error(request, refused.message)
            return redirect(listing)
        if deleted:
            messages.success(request, _("“%(title)s” was deleted.") % {"title": listing.title})
        else:
            messages.success(
                request,
                _("“%(title)s” was withdrawn; its past reservations are kept.")
                % {"title": listing.title},
            )
        return redirect("my_listings")
    return render(
        request,
        "properties/delete.html",
        {"listing": listing, "has_future_stays": services.has_future_stays(listing)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def property_withdraw(request, pk):
    listing = get_object_or_404(Property, pk=pk, host=request.user)
    if request.method == "POST":
        services.withdraw_listing(listing=listing)
        messages.success(
            request,
            _("“%(title)s” was withdrawn. Guests with pending requests were told.")
            % {"title": listing.title},
        )
        return redirect("my_listings")
    return render(request, "properties/withdraw.html", {"listing": listing})
