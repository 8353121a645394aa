from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import verified_phone_required
from reservations.forms import StayRequestForm

from . import services
from .forms import PhotoUploadForm, PropertyForm
from .models import Property

LISTINGS_PER_PAGE = 12


def home(request):
    listings = Property.objects.listed().with_cover()
    page = Paginator(listings, LISTINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "properties/home.html", {"page": page})


def property_detail(request, pk):
    listing = get_object_or_404(Property.objects.select_related("host"), pk=pk)
    form = StayRequestForm(listing=listing)
    return render(request, "properties/detail.html", {"listing": listing, "form": form})


@login_required
def my_listings(request):
    listings = request.user.properties.with_cover()
    return render(request, "properties/mine.html", {"listings": listings})


@verified_phone_required
def property_create(request):
    form = PropertyForm(request.POST or None, request.FILES or None)
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
