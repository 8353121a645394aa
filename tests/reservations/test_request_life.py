"""A request's life: every transition from every state, on every channel.

Each case arranges Gus's request in a state, lets one event happen through the public
surface (web, admin action, SMS, phone, the sweep), and checks the request's new state, what
Gus and the host were texted (once), and that the host's next request was offered exactly
once when the one they were texted about ended.
"""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from airtng.messaging.models import Direction, Message
from reservations import services
from reservations.models import Reservation
from tests.conftest import stay_dates

Status = Reservation.Status
pytestmark = pytest.mark.django_db(transaction=True)

STATES = [s.value for s in Status]
OFFER = "You have a new reservation request from "


@pytest.fixture
def staff(make_user):
    return make_user(is_staff=True, is_superuser=True)


@pytest.fixture
def world(twilio, run_worker, host, guest, listing, make_user, make_property, make_reservation):
    class World:
        pass

    w = World()
    w.host, w.guest, w.listing = host, guest, listing
    w.request = make_reservation(listing, guest)
    w.make_user, w.make_reservation, w.run_worker = make_user, make_reservation, run_worker
    w.loft = make_property(host, title="Loft")
    return w


def arrange(w, state):
    """Put Gus's request in `state`; a pending one has Zoe's request waiting behind it."""
    r = w.request
    if state == Status.PENDING:
        w.next = w.make_reservation(w.loft, w.make_user(first_name="Zoe"))
        # An hour younger, so that the sweep that expires Gus's request leaves Zoe's.
        Reservation.objects.filter(pk=w.next.pk).update(
            created_at=r.created_at + timedelta(hours=1)
        )
    elif state in (Status.CONFIRMED, Status.REJECTED):
        services.decide_reservation(reservation=r, accepted=state == Status.CONFIRMED, via="web")
    elif state == Status.CANCELLED:
        services.cancel_reservation(reservation=r, guest=w.guest)
    elif state == Status.EXPIRED:
        r.refresh_from_db()
        services.expire_overdue_requests(now=r.answer_by + timedelta(seconds=1))
    elif state == Status.DECLINED:
        other = w.make_reservation(
            w.listing,
            w.make_user(first_name="Olga"),
            check_in=r.check_in + timedelta(days=1),
            check_out=r.check_out,
        )
        services.decide_reservation(reservation=other, accepted=True, via="web")
    w.run_worker()  # every SMS so far has gone out: a reply can decide what it names
    r.refresh_from_db()
    assert r.status == state


def sms_reply(body):
    def act(w, client, twilio_post, staff):
        twilio_post(
            "/reservations/incoming",
            {"MessageSid": "SM" + "9" * 32, "From": str(w.host.phone_number), "Body": body},
        )

    return act


def keypad(digit):
    """The host calls, proven by their carrier, and presses `digit` if a request is read out."""

    def act(w, client, twilio_post, staff):
        call = {
            "CallSid": "CA" + "9" * 32,
            "From": str(w.host.phone_number),
            "StirVerstat": "TN-Validation-Passed-A",
        }
        gather = ElementTree.fromstring(twilio_post("/voice", call).content).find("./Gather")
        if gather is not None:
            twilio_post(gather.get("action"), {**call, "Digits": digit})

    return act


def web_decision(view):
    def act(w, client, twilio_post, staff):
        client.force_login(w.host)
        client.post(reverse(view, args=[w.request.pk]))

    return act


def admin_action(action):
    def act(w, client, twilio_post, staff):
        client.force_login(staff)
        client.post(
            reverse("admin:reservations_reservation_changelist"),
            {"action": action, "_selected_action": [w.request.pk]},
        )

    return act


def guest_cancels(w, client, twilio_post, staff):
    client.force_login(w.guest)
    client.post(reverse("cancel_reservation", args=[w.request.pk]))


def reply_window_ends(w, client, twilio_post, staff):
    w.request.refresh_from_db()
    services.sweep_requests(now=w.request.answer_by + timedelta(seconds=1))


def overlapping_stay_confirmed(w, client, twilio_post, staff):
    r = w.request
    olive = w.make_reservation(
        w.listing, w.make_user(first_name="Olive"), check_in=r.check_in, check_out=r.check_out
    )
    client.force_login(w.host)
    client.post(reverse("accept_reservation", args=[olive.pk]))


def host_withdraws_listing(w, client, twilio_post, staff):
    client.force_login(w.host)
    client.post(reverse("property_withdraw", args=[w.listing.pk]))


EVENTS = {
    "accept by web": (web_decision("accept_reservation"), Status.CONFIRMED),
    "accept by admin action": (admin_action("accept_selected"), Status.CONFIRMED),
    "accept by SMS": (sms_reply("yes"), Status.CONFIRMED),
    "accept by phone": (keypad("1"), Status.CONFIRMED),
    "reject by web": (web_decision("reject_reservation"), Status.REJECTED),
    "reject by admin action": (admin_action("reject_selected"), Status.REJECTED),
    "reject by SMS": (sms_reply("no"), Status.REJECTED),
    "reject by phone": (keypad("2"), Status.REJECTED),
    "guest cancels": (guest_cancels, Status.CANCELLED),
    "cancel by admin action": (admin_action("cancel_selected"), Status.CANCELLED),
    "reply window ends": (reply_window_ends, Status.EXPIRED),
    "overlapping stay confirmed": (overlapping_stay_confirmed, Status.DECLINED),
    "listing withdrawn": (host_withdraws_listing, Status.DECLINED),
}
# What Gus is texted when his pending request ends that way.
GUEST_TOLD = {
    Status.CONFIRMED: "Your recent request to stay at Cabin by the lake was confirmed.",
    Status.REJECTED: "Your recent request to stay at Cabin by the lake was rejected.",
    Status.EXPIRED: "expired: Hannah did not answer in time.",
    Status.DECLINED: "was declined:",
}


def texts_since(user, last_id):
    return list(
        Message.objects.filter(
            direction=Direction.OUTBOUND, to=str(user.phone_number), pk__gt=last_id
        )
        .order_by("id")
        .values_list("body", flat=True)
    )


def last_message_id():
    return Message.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("state", STATES)
def test_a_request_in_any_state_meets_any_event(world, client, twilio_post, staff, state, event):
    arrange(world, state)
    before = last_message_id()
    act, ending = EVENTS[event]

    act(world, client, twilio_post, staff)

    world.request.refresh_from_db()
    to_guest = texts_since(world.guest, before)
    to_host = texts_since(world.host, before)
    cancelling = ending == Status.CANCELLED
    if state == Status.PENDING:
        assert world.request.status == ending
        if cancelling:
            assert to_guest == []
            assert to_host[0].startswith("Gus has cancelled their request to stay at Cabin")
            to_host = to_host[1:]
        else:
            [told] = to_guest
            assert GUEST_TOLD[ending] in told
        # The host's next request, offered exactly once.
        assert [body[: len(OFFER) + 3] for body in to_host] == [OFFER + "Zoe"]
    elif state == Status.CONFIRMED and cancelling:
        assert world.request.status == Status.CANCELLED
        assert to_guest == []
        assert to_host == [
            f"Gus has cancelled their stay at Cabin by the lake, "
            f"{stay_dates(world.request)}. "
            "Those nights are free again."
        ]
    else:
        # An ended request stays ended; nobody is texted about it.
        assert world.request.status == state
        assert to_guest == []
        if event == "overlapping stay confirmed":
            # Olive's new request is offered to the host, who had none waiting.
            assert [body[: len(OFFER) + 5] for body in to_host] == [OFFER + "Olive"]
        else:
            assert to_host == []
