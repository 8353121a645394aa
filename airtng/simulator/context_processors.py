from .access import can_use_simulator


def simulator(request):
    """Whether the menu links to the phone simulator."""
    user = getattr(request, "user", None)
    return {"simulator_visible": user is not None and can_use_simulator(user)}
