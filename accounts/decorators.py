from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .views import verify_phone_url


def verified_phone_required(view):
    """Like login_required; an unverified number is verified first, then the user comes back."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.phone_verified:
            messages.info(
                request,
                _("Before you list a property or request a stay, verify your phone number."),
            )
            return redirect(verify_phone_url(next=request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapped
