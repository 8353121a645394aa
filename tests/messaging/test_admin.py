"""Staff read the SMS log in the admin and send failed messages again."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from airtng.messaging.models import Direction, Message
from airtng.messaging.services import MAX_ATTEMPTS, queue_sms
from tests.conftest import grant
from tests.fake_twilio import Answer

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:messaging_message_changelist")


@pytest.fixture
def staff(make_user):
    return make_user(is_staff=True, is_superuser=True)


@pytest.fixture
def log(db):
    """One SMS of each kind the log holds."""

    def message(**fields):
        fields.setdefault("direction", Direction.OUTBOUND)
        fields.setdefault("from_number", "+15005550006")
        fields.setdefault("body", "Hello")
        return Message.objects.create(**fields)

    return {
        "failed": message(to="+12015550101", status="failed", error_code=21211),
        "delivered": message(to="+12015550102", status="delivered", sid="SM" + "1" * 32),
        "inbound": message(
            direction=Direction.INBOUND,
            to="+15005550006",
            from_number="+12015550103",
            body="accept",
            status="received",
        ),
    }


def listed(response):
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def retry(client, *messages):
    return client.post(
        CHANGELIST,
        {"action": "retry_selected", "_selected_action": [m.pk for m in messages]},
        follow=True,
    )


def notices(response):
    return [str(notice) for notice in get_messages(response.wsgi_request)]


def test_staff_see_the_sms_log(login, staff, log):
    response = login(staff).get(CHANGELIST)

    assert listed(response) == set(log.values())
    row = response.text[response.text.index('id="result_list"') :]
    for shown in ("+12015550101", "Failed", "21211", "Delivered", "accept"):
        assert shown in row


def test_guests_and_hosts_cannot_read_the_log(login, make_user, log):
    response = login(make_user()).get(CHANGELIST)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_log_offers_filters_by_status_and_direction(login, staff, log):
    response = login(staff).get(CHANGELIST)

    titles = {str(spec.title) for spec in response.context["cl"].filter_specs}
    assert {"status", "direction"} <= titles
    assert "?direction__exact=in" in response.text
    assert "?status__exact=failed" in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "failed"}, ["failed"]),
        ({"status__exact": "received"}, ["inbound"]),
        ({"direction__exact": "in"}, ["inbound"]),
        ({"direction__exact": "out"}, ["failed", "delivered"]),
        ({"direction__exact": "out", "status__exact": "delivered"}, ["delivered"]),
    ],
)
def test_the_log_filters_by_status_and_direction(login, staff, log, query, expected):
    response = login(staff).get(CHANGELIST, query)

    assert listed(response) == {log[name] for name in expected}


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+12015550101", "failed"),
        ("+12015550103", "inbound"),
        ("5550102", "delivered"),
        ("+1 (201) 555-0101", "failed"),
        ("(201) 555-0103", "inbound"),
    ],
)
def test_the_log_is_searched_by_number(login, staff, log, number, expected):
    response = login(staff).get(CHANGELIST, {"q": number})

    assert listed(response) == {log[expected]}


def test_an_sms_about_a_reservation_links_to_it(login, staff, guest, listing, make_reservation):
    reservation = make_reservation(listing, guest)
    message = Message.objects.get(reservation=reservation, user=listing.host)
    link = reverse("admin:reservations_reservation_change", args=[reservation.pk])
    client = login(staff)

    in_list = client.get(CHANGELIST).text
    on_page = client.get(reverse("admin:messaging_message_change", args=[message.pk])).text

    assert f'<a href="{link}">#{reservation.pk}</a>' in in_list
    assert f'<a href="{link}">#{reservation.pk}</a>' in on_page


def test_the_log_cannot_be_written_by_hand(login, staff, log):
    client = login(staff)

    assert client.get(reverse("admin:messaging_message_add")).status_code == 403
    response = client.post(
        reverse("admin:messaging_message_change", args=[log["failed"].pk]),
        {"to": "+19999999999", "body": "Changed", "status": "delivered"},
    )
    log["failed"].refresh_from_db()
    assert response.status_code == 302  # saved, but every field is read-only: nothing changed
    assert (log["failed"].to, log["failed"].status) == ("+12015550101", "failed")


def test_retrying_a_message_that_ran_out_of_attempts_sends_it_again(
    twilio, run_worker, time_passes, login, staff
):
    twilio.answer_next(*[Answer(status=500, code=20500)] * MAX_ATTEMPTS)
    message = queue_sms(to="+12015550123", body="Your stay starts tomorrow.")
    for _ in range(MAX_ATTEMPTS):
        run_worker()
        time_passes()
    assert Message.objects.get(pk=message.pk).status == "failed"

    response = retry(login(staff), message)
    run_worker()

    assert notices(response) == ["1 message will be sent again."]
    assert [sms["Body"] for sms in twilio.sent] == ["Your stay starts tomorrow."]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error_code) == ("queued", 1, None)


def test_retrying_a_message_twilio_refused_sends_it_again(twilio, run_worker, login, staff):
    twilio.answer_next(Answer(status=400, code=21614))
    message = queue_sms(to="+12015550123", body="Your stay starts tomorrow.")
    run_worker()
    assert Message.objects.get(pk=message.pk).status == "failed"

    retry(login(staff), message)
    run_worker()

    assert [r["answer"].status for r in twilio.requests] == [400, 201]
    assert [sms["Body"] for sms in twilio.sent] == ["Your stay starts tomorrow."]
    message.refresh_from_db()
    assert message.status == "queued"


def test_retrying_a_message_the_carrier_failed_sends_it_again(
    twilio, run_worker, login, staff, status_callback, settings
):
    settings.PUBLIC_BASE_URL = ""
    message = queue_sms(to="+12015550123", body="Your stay starts tomorrow.")
    run_worker()
    first_sid = Message.objects.get(pk=message.pk).sid
    status_callback(first_sid, "failed", ErrorCode="30008")
    assert Message.objects.get(pk=message.pk).status == "failed"

    retry(login(staff), message)
    run_worker()

    assert len(twilio.sent) == 2
    message.refresh_from_db()
    assert message.status == "queued"
    assert message.sid not in (None, first_sid)


def test_messages_that_have_not_failed_are_not_retried(twilio, run_worker, login, staff, log):
    response = retry(login(staff), log["delivered"], log["inbound"])
    run_worker()

    assert notices(response) == ["0 messages will be sent again."]
    assert twilio.requests == []
    log["delivered"].refresh_from_db()
    log["inbound"].refresh_from_db()
    assert (log["delivered"].status, log["inbound"].status) == ("delivered", "received")


def test_only_the_failed_ones_of_a_selection_are_retried(twilio, run_worker, login, staff, log):
    response = retry(login(staff), *log.values())
    run_worker()

    assert notices(response) == ["1 message will be sent again."]
    assert [sms["To"] for sms in twilio.sent] == ["+12015550101"]
    log["failed"].refresh_from_db()
    assert log["failed"].status == "queued"


@pytest.fixture
def failed_code(twilio, run_worker, make_user):
    """Ada's verification code, which Twilio refused to send."""
    from accounts import services as accounts

    ada = make_user(first_name="Ada", phone_verified=False)
    twilio.answer_next(Answer(status=400, code=30003))
    accounts.send_verification_code(user=ada)
    run_worker()
    message = Message.objects.get(user=ada)
    assert message.status == "failed"
    return message


def test_a_failed_code_still_valid_is_sent_again(twilio, run_worker, login, staff, failed_code):
    response = retry(login(staff), failed_code)
    run_worker()

    assert notices(response) == ["1 message will be sent again."]
    assert len(twilio.sent) == 1
    assert twilio.sent[0]["Body"].startswith("Your Airtng code is ")


def test_an_expired_code_is_not_sent_again_and_staff_are_told_why(
    twilio, run_worker, login, staff, failed_code, time_machine
):
    from django.utils import timezone

    time_machine.move_to(timezone.now() + timedelta(minutes=11))
    other = queue_sms(to="+12015550123", body="Your stay starts tomorrow.")
    Message.objects.filter(pk=other.pk).update(status="failed", error_code=30003)

    response = retry(login(staff), failed_code, other)
    run_worker()

    said = notices(response)
    assert said[0].startswith(
        f"The SMS to {failed_code.to} was not sent again: the code in it expired at "
    )
    assert said[0].endswith("Its owner can ask for a new code.")
    assert said[1] == "1 message will be sent again."
    assert [sms["Body"] for sms in twilio.sent] == ["Your stay starts tomorrow."]
    failed_code.refresh_from_db()
    assert failed_code.status == "failed"


def test_a_code_replaced_by_a_newer_one_is_not_sent_again(
    twilio, run_worker, login, staff, failed_code, time_machine
):
    from django.utils import timezone

    from accounts import services as accounts

    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    accounts.send_verification_code(user=failed_code.user)  # the first code stops working

    response = retry(login(staff), failed_code)

    assert "was not sent again: the code in it expired" in notices(response)[0]
    failed_code.refresh_from_db()
    assert failed_code.status == "failed"


def test_a_used_code_is_not_sent_again(twilio, run_worker, login, staff, failed_code, client):
    from accounts import services as accounts

    Message.objects.filter(pk=failed_code.pk).update(status="failed")
    # Ada got the code some other way (a second send went through) and used it.
    code = failed_code.body.split("is ")[1][:6]
    assert accounts.confirm_phone(user=failed_code.user, code=code)

    response = retry(login(staff), failed_code)

    assert "was not sent again" in notices(response)[0]
    assert twilio.sent == []


def test_staff_who_may_only_view_the_log_cannot_retry(twilio, run_worker, login, make_user, log):
    viewer = grant(make_user(is_staff=True), "messaging.view_message")
    client = login(viewer)

    page = client.get(CHANGELIST)
    response = retry(client, log["failed"])
    run_worker()

    assert page.status_code == 200
    assert "retry_selected" not in page.text
    assert twilio.requests == []
    log["failed"].refresh_from_db()
    assert log["failed"].status == "failed"
    assert response.status_code == 200


def test_staff_without_the_logs_permission_do_not_see_it(login, make_user, log):
    plain_staff = make_user(is_staff=True)

    client = login(plain_staff)

    assert client.get(CHANGELIST).status_code == 403
    assert "SMS log" not in client.get(reverse("admin:index")).text
