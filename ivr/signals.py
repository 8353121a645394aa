from django.core.signals import request_finished
from django.dispatch import receiver

from . import call_log


@receiver(request_finished, dispatch_uid="ivr.call_log")
def write_call_log(sender, **kwargs):
    # After the response is closed: the caller has heard the answer before this runs.
    call_log.write_when_due()
