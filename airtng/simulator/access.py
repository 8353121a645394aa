"""Who may use the phone simulator, and the decorator its views share."""

from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied


def is_embedded_run():
    """The README's `make run`: DEBUG on and no real Twilio account behind it."""
    return settings.DEBUG and not settings.TWILIO_AUTH_TOKEN


def can_use_simulator(user):
    """Anyone in the embedded run; elsewhere, staff given the simulator's permission."""
    return is_embedded_run() or (user.is_staff and user.has_perm("simulator.use_simulator"))


def can_read_sms(user):
    """The phone shows the SMS log, so it takes the log's own view permission too."""
    return is_embedded_run() or (
        can_use_simulator(user) and user.has_perm("messaging.view_message")
    )


def allowed_if(rule):
    def decorator(view):
        @wraps(view)
        def allowed(request, *args, **kwargs):
            if not rule(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return allowed

    return decorator


def can_see_calls(user):
    return is_embedded_run() or (can_use_simulator(user) and user.has_perm("ivr.view_call"))


simulator_allowed = allowed_if(can_use_simulator)
