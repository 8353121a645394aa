from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "reservations.conversations"
    label = "conversations"
    verbose_name = _("Conversations")
