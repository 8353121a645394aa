"""What a host does with a listing: its photos, withdrawing it, deleting it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from properties.images import PreparedPhoto
from properties.models import Photo, Property
from reservations.models import Reservation
from reservations.services import (
    DeclineReason,
    ReservationError,
    decline_pending,
    lock_host,
    offer_next_request,
)

# Enough to show a place room by room; each is up to 5 MB on the disk.
MAX_PHOTOS_PER_LISTING = 12


class PhotoError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _lock_listing(listing: Property) -> list[Photo]:
    """Lock the listing's row, so that its photos change one request at a time; its photos."""
    Property.objects.select_for_update().filter(pk=listing.pk).first()
    return list(listing.photos.all())


def _renumber(photos: list[Photo]) -> None:
    for position, photo in enumerate(photos):
        photo.position = position
    Photo.objects.bulk_update(photos, ["position"])


def _delete_files_on_commit(*files) -> None:
    names = [(file.storage, file.name) for file in files if file]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


def add_photos(*, listing: Property, photos: list[PreparedPhoto]) -> list[Photo]:
    """Add photos after the listing's others, at most MAX_PHOTOS_PER_LISTING in all.

    Raises PhotoError, and keeps none of them, if they are too many.
    """
    added = []
    try:
        with transaction.atomic():
            existing = _lock_listing(listing)
            room = MAX_PHOTOS_PER_LISTING - len(existing)
            if len(photos) > room:
                raise PhotoError(
                    _(
                        "A listing has at most %(max)d photos, and this one has %(count)d: "
                        "add at most %(room)d more."
                    )
                    % {"max": MAX_PHOTOS_PER_LISTING, "count": len(existing), "room": room}
                )
            position = existing[-1].position + 1 if existing else 0
            for offset, prepared in enumerate(photos):
                photo = Photo(listing=listing, position=position + offset)
                added.append(photo)
                photo.image.save(prepared.image.name, prepared.image, save=False)
                photo.thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
                photo.save()
    except BaseException:
        for photo in added:
            photo.image.delete(save=False)
            photo.thumbnail.delete(save=False)
        raise
    return added


def move_photo(*, photo: Photo, by: int) -> None:
    """Move a photo `by` places earlier (negative) or later (positive), within the listing's."""
    with transaction.atomic():
        photos = _lock_listing(photo.listing)
        index = next(i for i, each in enumerate(photos) if each.pk == photo.pk)
        moved = photos.pop(index)
        photos.insert(max(0, min(len(photos), index + by)), moved)
        _renumber(photos)


def delete_photo(*, photo: Photo) -> None:
    """Delete a photo and its files; the next becomes the cover if it was.

    Raises PhotoError for a listing's only picture: a listing always has one.
    """
    with transaction.atomic():
        photos = _lock_listing(photo.listing)
        if len(photos) == 1 and not photo.listing.image_url:
            raise PhotoError(
                _("This is the listing's only photo: add another before you delete it.")
            )
        _renumber([each for each in photos if each.pk != photo.pk])
        photo.delete()
        _delete_files_on_commit(photo.image, photo.thumbnail)


class HasFutureStays(ReservationError):
    message = _(
        "This place has confirmed stays to come, so it cannot be deleted. "
        "You can withdraw it instead: it is hidden and takes no new requests."
    )


def has_future_stays(listing: Property) -> bool:
    return listing.reservations.filter(
        status=Reservation.Status.CONFIRMED, check_out__gt=timezone.localdate()
    ).exists()


def withdraw_listing(*, listing: Property) -> int:
    """Hide the listing and decline its pending requests, texting their guests.

    Confirmed stays are kept. Returns how many requests were declined.
    """
    with transaction.atomic():
        host = lock_host(listing.host_id)
        Property.objects.filter(pk=listing.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        declined = decline_pending(listing.reservations.all(), reason=DeclineReason.WITHDRAWN)
        offer_next_request(host)
    return declined


def delete_listing(*, listing: Property) -> bool:
    """Delete a listing no one ever asked for; withdraw one whose reservations are history.

    Returns True if the row was deleted. Raises HasFutureStays.
    """
    with transaction.atomic():
        lock_host(listing.host_id)
        if has_future_stays(listing):
            raise HasFutureStays
        if listing.reservations.exists():
            withdraw_listing(listing=listing)
            return False
        photos = list(listing.photos.all())
        listing.delete()
        _delete_files_on_commit(*(f for photo in photos for f in (photo.image, photo.thumbnail)))
    return True
