from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.views.decorators.http import require_http_methods

from reservations.models import Reservation

from .thread import ConversationError, Thread, post_message, read_thread


def reservation_of(request, pk) -> Reservation:
    """The reservation if the user is its guest or its host; for anyone else, 404."""
    mine = Q(guest=request.user) | Q(property__host=request.user)
    return get_object_or_404(
        Reservation.objects.filter(mine).select_related("guest", "property__host"), pk=pk
    )


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_http_methods(["GET", "POST"])
def conversation(request, pk):
    """GET: the thread as JSON (the page polls it). POST: a new message from the reader."""
    reservation = reservation_of(request, pk)
    if request.method == "POST":
        try:
            post_message(
                reservation=reservation, author=request.user, body=request.POST.get("body", "")
            )
        except ConversationError as refused:
            if wants_json(request):
                return JsonResponse({"error": str(refused.message)}, status=400)
            messages.error(request, refused.message)
        if not wants_json(request):
            page = "trip" if request.user.pk == reservation.guest_id else "host_request"
            return redirect(reverse(page, args=[reservation.pk]) + "#conversation")
    thread = read_thread(reservation, reader=request.user)
    return JsonResponse(as_json(thread))


def as_json(thread: Thread) -> dict:
    return {
        "open": thread.open,
        "messages": [
            {
                "id": said.id,
                "author": said.author,
                "mine": said.mine,
                "body": said.body,
                "at": said.at.isoformat(),
                "at_label": date_format(localtime(said.at), "DATETIME_FORMAT"),
                "via": said.via,
            }
            for said in thread.messages
        ],
    }
