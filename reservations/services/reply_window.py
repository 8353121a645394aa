"""The host's time to answer: a reminder at half of it, expiry at its end.

Run by a sweep (`manage.py sweep_requests`, and every worker's sweeper thread). Each step
claims its row with a conditional UPDATE or under the request's lock, so several workers
never remind or expire a request twice, and a restart loses nothing: the state is in rows.
"""

from datetime import datetime
from functools import partial

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from accounts.models import User
from airtng.messaging.models import OptOut
from reservations import texts
from reservations.conversations.proxies import close_finished_conversations
from reservations.models import OutstandingRequest, Reservation, reply_window

from .asking import link_for
from .ending import end_request, lock_request
from .host_sms import offer_next_request, text

Status = Reservation.Status
BATCH = 500


def remind_hosts(*, now: datetime | None = None) -> int:
    """Remind once each host whose offered request has reached half its reply window.

    A request offered only after that point (it waited behind others) is not reminded.
    """
    now = now or timezone.now()
    half = reply_window() / 2
    due = OutstandingRequest.objects.filter(
        reservation__status=Status.PENDING,
        reservation__reminded_at__isnull=True,
        reservation__created_at__lte=now - half,
        offered_at__lte=F("reservation__created_at") + half,
    ).select_related("host", "reservation__guest", "reservation__property")
    reminded = 0
    for offer in due[:BATCH]:
        with transaction.atomic():
            claimed = Reservation.objects.filter(
                pk=offer.reservation_id, status=Status.PENDING, reminded_at__isnull=True
            ).update(reminded_at=now)
            if claimed:
                link = link_for(offer.host, offer.reservation)
                reminder = partial(texts.host_reminder, offer.reservation, link=link)
                text(offer.host, reminder, offer.reservation)
                reminded += 1
    return reminded


def expire_overdue_requests(*, now: datetime | None = None) -> int:
    """Expire the pending requests whose reply window has ended; their guests are told."""
    now = now or timezone.now()
    overdue = Reservation.objects.filter(
        status=Status.PENDING, created_at__lte=now - reply_window()
    )
    expired = 0
    for pk in overdue.values_list("pk", flat=True)[:BATCH]:
        with transaction.atomic():
            request = lock_request(Reservation(pk=pk))
            if request.status == Status.PENDING and request.answer_by <= now:
                end_request(request=request, status=Status.EXPIRED, now=now)
                expired += 1
    return expired


def offer_waiting_hosts() -> int:
    """Offer every host who has pending requests and no offer; drop offers that ended.

    The backstop for requests no signal saw (bulk_create, a raw UPDATE, a deleted row).
    """
    OutstandingRequest.objects.exclude(reservation__status=Status.PENDING).delete()
    waiting = User.objects.filter(
        Exists(Reservation.objects.filter(property__host=OuterRef("pk"), status=Status.PENDING)),
        outstanding_request__isnull=True,
        phone_verified=True,
    ).exclude(Exists(OptOut.objects.filter(phone_number=OuterRef("phone_number"))))
    offered = 0
    for host in waiting[:BATCH]:
        with transaction.atomic():
            offered += offer_next_request(host) is not None
    return offered


def sweep_requests(*, now: datetime | None = None) -> dict[str, int]:
    """One pass of everything time or a missed signal makes due."""
    return {
        "expired": expire_overdue_requests(now=now),
        "reminded": remind_hosts(now=now),
        "offered": offer_waiting_hosts(),
        "conversations closed": close_finished_conversations(now=now),
    }
