from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Reservation
from .services import request_received


@receiver(post_save, sender=Reservation, dispatch_uid="text_about_new_request")
def text_about_new_request(sender, instance, created, **kwargs):
    if created and instance.status == Reservation.Status.PENDING:
        request_received(instance)
