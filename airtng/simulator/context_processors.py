from django.conf import settings


def simulator(request):
    """Whether to show the phone simulator in the menu: as views.simulator_allowed lets in."""
    user = getattr(request, "user", None)
    return {"simulator_visible": settings.DEBUG or bool(user and user.is_staff)}
