from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "airtng.messaging"
    label = "messaging"
    verbose_name = _("SMS")

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy check)
