"""The host's photos of a listing, on its edit page: add several, move one, delete one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .forms import PhotoUploadForm, PropertyForm
from .models import Photo, Property

# The buttons beside each photo, and how many places each moves it.
MOVES = {"first": -services.MAX_PHOTOS_PER_LISTING, "up": -1, "down": 1}


def photos_section(listing):
    return reverse("property_edit", args=[listing.pk]) + "#photos"


def _hosts_photo(request, pk, photo_pk):
    """The photo, if it is of a listing of the requester's own; else 404."""
    return get_object_or_404(
        Photo.objects.select_related("listing"), pk=photo_pk, listing=pk, listing__host=request.user
    )


@login_required
@require_POST
def photo_add(request, pk):
    listing = get_object_or_404(Property, pk=pk, host=request.user)
    photo_form = PhotoUploadForm(request.POST, request.FILES)
    if photo_form.is_valid():
        try:
            added = services.add_photos(listing=listing, photos=photo_form.cleaned_data["photos"])
        except services.PhotoError as refused:
            photo_form.add_error("photos", refused.message)
        else:
            messages.success(
                request,
                ngettext("%(count)d photo added.", "%(count)d photos added.", len(added))
                % {"count": len(added)},
            )
            return redirect(photos_section(listing))
    context = {"form": PropertyForm(instance=listing), "listing": listing, "photo_form": photo_form}
    return render(request, "properties/form.html", context)


@login_required
@require_POST
def photo_move(request, pk, photo_pk):
    photo = _hosts_photo(request, pk, photo_pk)
    if request.POST.get("to") in MOVES:
        services.move_photo(photo=photo, by=MOVES[request.POST["to"]])
    return redirect(photos_section(photo.listing))


@login_required
@require_http_methods(["GET", "POST"])
def photo_delete(request, pk, photo_pk):
    photo = _hosts_photo(request, pk, photo_pk)
    if request.method == "POST":
        try:
            services.delete_photo(photo=photo)
        except services.PhotoError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The photo was deleted."))
        return redirect(photos_section(photo.listing))
    context = {"photo": photo, "listing": photo.listing}
    return render(request, "properties/photo_delete.html", context)
