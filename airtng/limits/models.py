from django.db import models
from django.utils.translation import gettext_lazy as _


class RateLimit(models.Model):
    """How often something was done under one key (an account, a number, an address) lately.

    Kept in the database, not a per-process cache: Airtng runs several gunicorn processes,
    and each would otherwise count on its own.
    """

    key = models.CharField(_("key"), max_length=100, unique=True)
    window_started_at = models.DateTimeField(_("counting since"), db_index=True)
    hits = models.PositiveIntegerField(_("times"), default=0)

    class Meta:
        verbose_name = _("rate limit")
        verbose_name_plural = _("rate limits")

    def __str__(self):
        return self.key
