"""What the reservations app does. Every channel (web, admin, SMS, phone) calls these."""

from .booking import cancel_reservation, check_stay, request_stay
from .decision import decide_reservation
from .errors import CannotCancel, NotPending, OverlapsConfirmedStay, ReservationError
from .host_reply import answer_host_sms
from .host_sms import offer_next_request, outstanding_request
from .queries import (
    confirmed_stays_overlapping,
    pending_requests_for,
    requests_for_host,
    trips_for,
)
from .timeline import TimelineEvent, timeline_for

__all__ = [
    "CannotCancel",
    "NotPending",
    "OverlapsConfirmedStay",
    "ReservationError",
    "TimelineEvent",
    "answer_host_sms",
    "cancel_reservation",
    "check_stay",
    "confirmed_stays_overlapping",
    "decide_reservation",
    "offer_next_request",
    "outstanding_request",
    "pending_requests_for",
    "request_stay",
    "requests_for_host",
    "timeline_for",
    "trips_for",
]
