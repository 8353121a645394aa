"""A host's uploaded photo made fit to keep and show: checked, turned upright, stripped of its
metadata (a phone's EXIF holds the GPS position of the host's home), and given its thumbnail."""

import io
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_SIZE = 5 * 1024 * 1024
# A few kilobytes of PNG can decode to gigabytes of pixels (a decompression bomb).
MAX_PHOTO_MEGAPIXELS = 40
# The cards' 4:3 frame, at twice the width of their narrowest column (240 px) for sharp screens.
THUMBNAIL_SIZE = (480, 360)
# The formats a photo may be, the names it may have, and the format it is kept in: an animated
# GIF is kept as its first frame, which PNG holds without loss.
EXTENSIONS = {"JPEG": ("jpg", "jpeg"), "PNG": ("png",), "WEBP": ("webp",), "GIF": ("gif",)}
KEPT_AS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "PNG"}
SUFFIX = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class BadPhoto(ValueError):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PreparedPhoto:
    """The photo to keep (upright, without metadata) and its thumbnail, each named uniquely."""

    image: ContentFile
    thumbnail: ContentFile


def prepare_photo(upload) -> PreparedPhoto:
    """Check an uploaded file (anything with `name`, `size` and `read`) and make what is kept of it.

    Raises BadPhoto, whose message names the file and says what is wrong, in the reader's language.
    """
    name = upload.name.rsplit("/", 1)[-1]
    if upload.size > MAX_PHOTO_SIZE:
        raise BadPhoto(
            _("“%(name)s” is %(size)s; the most is %(max)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(MAX_PHOTO_SIZE),
            }
        )
    try:
        upload.seek(0)
        image = Image.open(upload)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise BadPhoto(
            _("“%(name)s” is not a photo: upload a JPEG, PNG, WebP or GIF.") % {"name": name}
        ) from None
    with image:
        _check(image, name)
        try:
            image.load()
        except (OSError, SyntaxError, ValueError, EOFError):
            raise BadPhoto(
                _("“%(name)s” is incomplete or damaged: upload the whole photo again.")
                % {"name": name}
            ) from None
        kept_as = KEPT_AS[image.format]
        icc_profile = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
    return PreparedPhoto(
        image=_encoded(_without_metadata(upright, kept_as), kept_as, icc_profile),
        thumbnail=_encoded(_thumbnail_of(upright), "JPEG", icc_profile),
    )


def _check(image, name):
    if image.format not in EXTENSIONS:
        raise BadPhoto(
            _("“%(name)s” is a %(format)s image: upload a JPEG, PNG, WebP or GIF.")
            % {"name": name, "format": image.format or "?"}
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS[image.format]:
        raise BadPhoto(
            _(
                "“%(name)s” is a %(format)s image, but its name does not end in .%(extension)s: "
                "rename it and upload it again."
            )
            % {"name": name, "format": image.format, "extension": EXTENSIONS[image.format][0]}
        )
    width, height = image.size
    if width * height > MAX_PHOTO_MEGAPIXELS * 1_000_000:
        raise BadPhoto(
            _("“%(name)s” is %(width)d×%(height)d pixels; the most is %(max)d megapixels.")
            % {"name": name, "width": width, "height": height, "max": MAX_PHOTO_MEGAPIXELS}
        )


def _without_metadata(image, kept_as):
    # Modes each format keeps; a palette becomes RGBA so that its transparency survives.
    if kept_as == "JPEG":
        image = image.convert("L" if image.mode in ("1", "L") else "RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    else:
        image = image.copy()
    # Pillow writes EXIF, XMP, comments and text chunks from `info`: keep none of them.
    image.info = {}
    return image


def _thumbnail_of(image):
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    else:
        image = image.convert("RGB")
    thumbnail = ImageOps.fit(image, THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
    thumbnail.info = {}
    return thumbnail


def _encoded(image, image_format, icc_profile):
    options = {"JPEG": {"quality": 85, "optimize": True}, "WEBP": {"quality": 90}}
    buffer = io.BytesIO()
    image.save(buffer, image_format, icc_profile=icc_profile, **options.get(image_format, {}))
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{SUFFIX[image_format]}")
