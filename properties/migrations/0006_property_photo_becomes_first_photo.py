"""Each listing's single uploaded photo becomes its first photo, upright, stripped of its
metadata and with a thumbnail; backwards, a listing's first photo becomes its single one."""

from django.core.files import File
from django.db import migrations, transaction

from properties.images import BadPhoto, prepare_photo


def photos_from_property_photo(apps, schema_editor):
    Property = apps.get_model("properties", "Property")
    Photo = apps.get_model("properties", "Photo")
    for listing in Property.objects.exclude(photo="").iterator():
        photo = Photo(listing=listing, position=0, image=listing.photo.name)
        try:
            with listing.photo.open("rb") as original:
                prepared = prepare_photo(File(original, name=listing.photo.name))
        except (BadPhoto, OSError):
            pass  # Unreadable or gone: kept as it was, without a thumbnail, for its host to replace.
        else:
            photo.image.save(prepared.image.name, prepared.image, save=False)
            photo.thumbnail.save(prepared.thumbnail.name, prepared.thumbnail, save=False)
            storage, name = listing.photo.storage, listing.photo.name
            # The original, with its metadata, goes once the new rows are committed.
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        photo.save()


def property_photo_from_first_photo(apps, schema_editor):
    Property = apps.get_model("properties", "Property")
    Photo = apps.get_model("properties", "Photo")
    for photo in Photo.objects.order_by("listing", "-position", "-id").iterator():
        # The last written for a listing is its first photo.
        Property.objects.filter(pk=photo.listing_id).update(photo=photo.image.name)


class Migration(migrations.Migration):

    dependencies = [
        ("properties", "0005_photo"),
    ]

    operations = [
        migrations.RunPython(photos_from_property_photo, property_photo_from_first_photo),
        migrations.RemoveField(model_name="property", name="photo"),
    ]
