"""Every call Airtng answers or places is one row per CallSid, with its steps in order.

The tests write each step as its request finishes (CALL_LOG_BATCH = 1 in tests/settings.py);
production writes them in batches after the answers are sent (ivr/call_log.py).
"""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from airtng.messaging.models import Direction
from airtng.twilio import signature
from ivr import call_log
from ivr.models import Call, CallStep
from reservations.models import Reservation
from tests.conftest import grant, twilio_signature, twiml_root
from tests.ivr.conftest import AIRTNG, PUBLIC
from tests.reservations.test_sms_concurrency import all_at_once

STRANGER = "+12025550188"
SID = "CA" + "1" * 32


def inbound(caller=STRANGER, sid=SID, **fields):
    return {
        "CallSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": caller,
        "To": AIRTNG,
        "Direction": "inbound",
        "CallStatus": "ringing",
        **fields,
    }


def steps_of(call):
    return list(call.steps.values_list("url", "digits"))


def test_a_call_through_the_phone_tree_is_one_row_with_its_steps_in_order(db, twilio_post):
    welcome = twilio_post("/ivr/welcome", inbound())
    directions = twilio_post("/ivr/menu", inbound(CallStatus="in-progress", Digits="1"))

    call = Call.objects.get()
    assert (call.sid, call.direction, call.from_number, call.to) == (
        SID,
        Direction.INBOUND,
        STRANGER,
        AIRTNG,
    )
    assert call.status == "ringing"
    assert call.started_at is not None
    assert steps_of(call) == [("/ivr/welcome", ""), ("/ivr/menu", "1")]
    assert [step.twiml for step in call.steps.all()] == [
        welcome.content.decode(),
        directions.content.decode(),
    ]


def test_a_step_asked_by_get_keeps_its_query(db, twilio_get):
    twilio_get("/ivr/menu", inbound(Digits="2"))

    [(url, digits)] = steps_of(Call.objects.get())
    assert url.startswith("/ivr/menu?") and "Digits=2" in url
    assert digits == "2"


def test_words_said_are_logged_when_no_key_was_pressed(db, twilio_post):
    twilio_post("/ivr/menu", inbound(SpeechResult="directions please"))

    assert steps_of(Call.objects.get()) == [("/ivr/menu", "directions please")]


def test_a_step_twilio_retries_is_one_call_with_both_steps(db, twilio_post):
    twilio_post("/ivr/welcome", inbound())
    twilio_post("/ivr/welcome", inbound())

    assert Call.objects.count() == 1
    assert CallStep.objects.count() == 2


def test_a_known_callers_call_names_them(db, twilio_post, guest):
    twilio_post("/voice", inbound(caller=str(guest.phone_number)))

    call = Call.objects.get()
    assert call.user == guest
    assert "Thanks for calling, Gus!" in call.steps.get().twiml


def test_a_host_deciding_on_the_voice_line_logs_the_call_and_its_request(
    db, twilio_post, host, listing, guest, make_reservation
):
    pending = make_reservation(listing, guest)
    params = inbound(caller=str(host.phone_number), StirVerstat="TN-Validation-Passed-A")
    action = twiml_root(twilio_post("/voice", params)).find("./Gather").attrib["action"]

    twilio_post(action, inbound(caller=str(host.phone_number), Digits="1"))

    call = Call.objects.get()
    assert (call.user, call.reservation) == (host, pending)
    [offer, decision] = call.steps.all()
    assert (offer.url, decision.url, decision.digits) == ("/voice", action, "1")
    assert "<Hangup" in decision.twiml
    pending.refresh_from_db()
    assert pending.status == Reservation.Status.CONFIRMED


def test_an_unsigned_step_is_refused_and_not_logged(db, client):
    assert client.post("/ivr/welcome", inbound()).status_code == 403

    assert not Call.objects.exists()


def test_an_unknown_address_is_not_logged(db, twilio_post):
    assert twilio_post("/ivr/nowhere", inbound()).status_code == 404

    assert not Call.objects.exists()


def status_callback(client, **fields):
    params = inbound(**fields)
    url = "/voice/status"
    return client.post(
        url,
        params,
        headers={"X-Twilio-Signature": twilio_signature(f"http://testserver{url}", params)},
    )


def test_the_status_callback_of_an_answered_call_records_its_end(db, twilio_post, client):
    twilio_post("/ivr/welcome", inbound())

    assert status_callback(client, CallStatus="completed", CallDuration="42").status_code == 204

    call = Call.objects.get()
    assert (call.status, call.duration) == ("completed", 42)


def test_a_status_callback_before_any_step_is_written_is_still_one_call(db, twilio_post, client):
    status_callback(client, CallStatus="completed", CallDuration="7")
    twilio_post("/ivr/welcome", inbound())

    call = Call.objects.get()
    assert (call.status, call.duration, call.direction) == ("completed", 7, Direction.INBOUND)
    assert call.steps.count() == 1


def test_a_late_status_never_moves_an_answered_call_back(db, twilio_post, client):
    twilio_post("/ivr/welcome", inbound())
    status_callback(client, CallStatus="completed", CallDuration="42")
    status_callback(client, CallStatus="in-progress")

    assert Call.objects.get().status == "completed"


@pytest.fixture
def batched(settings):
    """Production's batching, with a batch of three and no timer firing during the test."""
    settings.CALL_LOG_BATCH = 3
    settings.CALL_LOG_WAIT_SECONDS = 3600
    yield
    call_log.write_queued()


def test_steps_are_written_a_batch_at_a_time_in_order(db, twilio_post, batched):
    twilio_post("/ivr/welcome", inbound(sid="CA" + "a" * 32))
    twilio_post("/ivr/welcome", inbound(sid="CA" + "b" * 32))
    assert not CallStep.objects.exists()  # at most a batch is lost if the process dies now

    twilio_post("/ivr/menu", inbound(sid="CA" + "a" * 32, Digits="1"))

    assert Call.objects.count() == 2
    assert steps_of(Call.objects.get(sid="CA" + "a" * 32)) == [
        ("/ivr/welcome", ""),
        ("/ivr/menu", "1"),
    ]


def test_a_step_whose_request_is_gone_is_logged_without_it(
    transactional_db, twilio_post, host, listing, guest, make_reservation
):
    pending = make_reservation(listing, guest)
    params = inbound(caller=str(host.phone_number), StirVerstat="TN-Validation-Passed-A")
    action = twiml_root(twilio_post("/voice", params)).find("./Gather").attrib["action"]
    Reservation.objects.filter(pk=pending.pk).delete()

    answer = twilio_post(action, inbound(caller=str(host.phone_number), Digits="1"))

    assert answer.status_code == 200
    call = Call.objects.get()
    assert call.reservation is None
    assert [step.url for step in call.steps.all()] == ["/voice", action]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_two_steps_of_a_new_call_at_once_make_one_row():
    params = inbound(sid="CA" + "c" * 32)
    headers = {"X-Twilio-Signature": signature("http://testserver/voice", params)}

    answers = all_at_once(
        lambda _: Client().post("/voice", params, headers=headers).status_code, range(8)
    )

    assert answers == [200] * 8
    call = Call.objects.get()
    assert call.steps.count() == 8


@pytest.fixture
def public_base_url(settings):
    settings.PUBLIC_BASE_URL = PUBLIC


def test_a_placed_calls_steps_join_its_row(
    twilio, run_worker, public_base_url, twilio_calls, host, listing, guest, make_reservation
):
    host.decide_by = "call"
    host.save()
    make_reservation(listing, guest)
    run_worker()
    placed = Call.objects.get()

    twilio_calls(f"/voice?call={placed.pk}&attempt=1", placed.sid, To=str(host.phone_number))

    call = Call.objects.get()
    assert (call.pk, call.direction) == (placed.pk, Direction.OUTBOUND)
    assert call.started_at is not None
    assert [step.url for step in call.steps.all()] == [f"/voice?call={placed.pk}&attempt=1"]


def test_a_placed_calls_first_step_names_it_before_the_worker_does(
    twilio, run_worker, public_base_url, twilio_calls, host, listing, guest, make_reservation
):
    host.decide_by = "call"
    host.save()
    make_reservation(listing, guest)
    run_worker()
    Call.objects.update(sid=None, status=Call.Status.PLACING)
    placed = Call.objects.get()
    sid = "CA" + "d" * 32

    twilio_calls(f"/voice?call={placed.pk}&attempt=1", sid, To=str(host.phone_number))

    call = Call.objects.get()
    assert (call.pk, call.sid) == (placed.pk, sid)
    assert call.steps.count() == 1


@pytest.fixture
def answered(db, twilio_post, host, listing, guest, make_reservation):
    """Hannah called and accepted Gus's request on the voice line."""
    make_reservation(listing, guest)
    params = inbound(caller=str(host.phone_number), StirVerstat="TN-Validation-Passed-A")
    action = twiml_root(twilio_post("/voice", params)).find("./Gather").attrib["action"]
    twilio_post(action, inbound(caller=str(host.phone_number), Digits="1"))
    return Call.objects.get()


def test_staff_find_a_call_by_its_number_in_any_format(answered, login, make_user):
    staff = grant(make_user(is_staff=True), "ivr.view_call")
    client = login(staff)
    number = str(answered.from_number)  # +1201555NNNN
    written = f"+1 ({number[2:5]}) {number[5:8]}-{number[8:]}"

    def listed(**query):
        response = client.get(reverse("admin:ivr_call_changelist"), query)
        assert response.status_code == 200
        return [call.pk for call in response.context["cl"].result_list]

    assert listed(q=written) == [answered.pk]
    assert listed(q="+1 (202) 555-0199") == []
    assert listed(direction__exact="in") == [answered.pk]
    assert listed(direction__exact="out") == []
    assert listed(status__exact="ringing") == [answered.pk]


def test_a_calls_page_shows_its_steps_in_order_with_readable_twiml(answered, login, make_user):
    staff = grant(make_user(is_staff=True), "ivr.view_call")
    page = login(staff).get(reverse("admin:ivr_call_change", args=[answered.pk])).text

    assert page.index("<p>/voice</p>") < page.index("<p>/voice/decision?state=")
    assert "&lt;Say" in page and "\n  &lt;Gather" in page
    assert reverse("admin:accounts_user_change", args=[answered.user_id]) in page
    assert reverse("admin:reservations_reservation_change", args=[answered.reservation_id]) in page
    assert "Save" not in page  # history: nobody edits it


def test_staff_cannot_change_or_delete_a_call(answered, login, make_user):
    staff = grant(make_user(is_staff=True), "ivr.view_call", "ivr.change_call", "ivr.delete_call")
    client = login(staff)

    change = client.post(reverse("admin:ivr_call_change", args=[answered.pk]), {"status": "failed"})
    delete = client.post(reverse("admin:ivr_call_delete", args=[answered.pk]), {"post": "yes"})

    assert change.status_code == 403 and delete.status_code == 403
    assert Call.objects.get().status == "ringing"


def test_staff_without_the_permission_see_no_calls(answered, login, make_user):
    client = login(make_user(is_staff=True))

    assert client.get(reverse("admin:ivr_call_changelist")).status_code == 403
    assert client.get(reverse("admin:ivr_call_change", args=[answered.pk])).status_code == 403
    assert reverse("admin:ivr_call_changelist") not in client.get(reverse("admin:index")).text
