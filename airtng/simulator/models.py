from django.db import models
from django.utils.translation import gettext_lazy as _


class Simulator(models.Model):
    """No table: it only carries the permission to use the phone simulator."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("use_simulator", _("Can text and call Airtng from the phone simulator"))]
        verbose_name = _("phone simulator")

    def __str__(self):
        return str(self._meta.verbose_name)
