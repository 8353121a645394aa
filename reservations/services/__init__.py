"""What the reservations app does. Every channel (web, admin, SMS, phone) calls these."""

from .asking import decides_without_sms, is_called, link_is_open, request_of_link
from .booking import cancel_reservation, check_dates, check_stay, request_received, request_stay
from .decision import decide_by_link, decide_reservation
from .ending import DeclineReason, decline_pending, end_request, lock_request
from .errors import (
    CannotCancel,
    ListingWithdrawn,
    NotPending,
    OverlapsConfirmedStay,
    ReservationError,
)
from .host_reply import answer_host_sms
from .host_sms import lock_host, offer_next_request, outstanding_request
from .queries import (
    confirmed_stays_overlapping,
    pending_requests_for,
    requests_for_host,
    stays_and_requests_overlapping,
    trips_for,
)
from .reply_window import (
    expire_overdue_requests,
    offer_waiting_hosts,
    remind_hosts,
    sweep_requests,
)
from .request_limits import TooManyRequests
from .timeline import TimelineEvent, timeline_for

__all__ = [
    "CannotCancel",
    "DeclineReason",
    "ListingWithdrawn",
    "NotPending",
    "OverlapsConfirmedStay",
    "ReservationError",
    "TooManyRequests",
    "TimelineEvent",
    "answer_host_sms",
    "cancel_reservation",
    "check_dates",
    "check_stay",
    "confirmed_stays_overlapping",
    "decide_by_link",
    "decide_reservation",
    "decides_without_sms",
    "decline_pending",
    "end_request",
    "expire_overdue_requests",
    "is_called",
    "link_is_open",
    "lock_host",
    "lock_request",
    "offer_next_request",
    "offer_waiting_hosts",
    "outstanding_request",
    "pending_requests_for",
    "remind_hosts",
    "request_of_link",
    "request_received",
    "request_stay",
    "requests_for_host",
    "stays_and_requests_overlapping",
    "sweep_requests",
    "timeline_for",
    "trips_for",
]
