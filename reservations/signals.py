from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import Reservation
from .services import offer_next_request


@receiver(post_save, sender=Reservation, dispatch_uid="text_host_about_new_request")
def text_host_about_new_request(sender, instance, created, **kwargs):
    if created and instance.status == Reservation.Status.PENDING:
        offer_next_request(instance.property.host)
