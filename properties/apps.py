from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropertiesConfig(AppConfig):
    name = "properties"
    verbose_name = _("Properties")

    def ready(self):
        from PIL import Image

        from .images import MAX_PHOTO_MEGAPIXELS

        # Pillow refuses to decode twice this many pixels anywhere, not only in our form.
        Image.MAX_IMAGE_PIXELS = MAX_PHOTO_MEGAPIXELS * 1_000_000
