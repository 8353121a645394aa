from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IvrConfig(AppConfig):
    name = "ivr"
    verbose_name = _("Phone tree")

    def ready(self):
        from . import signals  # noqa: F401
