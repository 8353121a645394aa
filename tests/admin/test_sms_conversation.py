"""Staff read every SMS to and from one number, Airtng's TwiML replies included, newest last."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts
from airtng.messaging.models import Direction, Message, OptOut
from airtng.messaging.services import queue_sms
from tests.conftest import grant

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:messaging_message_changelist")
STRANGER = "+12015550177"


def conversation(number):
    return reverse("admin:messaging_message_conversation", args=[number])


def rows(response):
    assert response.status_code == 200
    return [(row["kind"], row["body"]) for row in response.context["rows"]]


def received(number, body, **fields):
    fields.setdefault("status", "received")
    return Message.objects.create(
        direction=Direction.INBOUND, to="+15005550006", from_number=number, body=body, **fields
    )


def test_the_conversation_holds_both_ways_and_our_replies_newest_last(
    login, staff, listing, guest, host, make_reservation, twilio_post, run_worker
):
    make_reservation(listing, guest)
    run_worker()  # Hannah is texted about it
    twilio_post(
        "/reservations/incoming",
        {
            "From": str(host.phone_number),
            "To": "+15005550006",
            "Body": "maybe",
            "MessageSid": "SM" + "2" * 32,
        },
    )
    twilio_post(
        "/reservations/incoming",
        {
            "From": str(host.phone_number),
            "To": "+15005550006",
            "Body": "yes",
            "MessageSid": "SM" + "3" * 32,
        },
    )

    response = login(staff).get(conversation(str(host.phone_number)))

    kinds = [kind for kind, _ in rows(response)]
    assert kinds == ["out", "in", "reply", "in", "reply"]
    bodies = [str(body) for _, body in rows(response)]
    assert bodies[0].startswith("You have a new reservation request from Gus")
    assert bodies[1:4:2] == ["maybe", "yes"]
    assert bodies[4].startswith("You have successfully confirmed the reservation.")
    assert (
        "Airtng&#x27;s reply (TwiML)" in response.text or "Airtng's reply (TwiML)" in response.text
    )


def test_the_conversation_links_the_user_and_the_reservation(
    login, staff, listing, guest, host, make_reservation
):
    reservation = make_reservation(listing, guest)

    page = login(staff).get(conversation(str(host.phone_number))).text

    assert reverse("admin:accounts_user_change", args=[host.pk]) in page
    assert reverse("admin:reservations_reservation_change", args=[reservation.pk]) in page
    assert "Hannah" in page


def test_the_conversation_shows_the_status_error_and_its_meaning(login, staff):
    queue_sms(to=STRANGER, body="Your stay starts tomorrow.")
    Message.objects.update(status="undelivered", error_code=30007)

    page = login(staff).get(conversation(STRANGER)).text

    assert "Undelivered" in page
    assert 'href="https://www.twilio.com/docs/api/errors/30007"' in page
    assert "The carrier filtered the message as spam or against its rules." in page


def test_an_unknown_error_code_points_to_twilios_page(login, staff):
    queue_sms(to=STRANGER, body="Hello")
    Message.objects.update(status="failed", error_code=63999)

    page = login(staff).get(conversation(STRANGER)).text

    assert "See Twilio&#x27;s page about this code." in page


def test_the_conversation_says_whether_the_number_opted_out(login, staff, host):
    client = login(staff)
    before = client.get(conversation(str(host.phone_number))).text
    OptOut.objects.create(phone_number=str(host.phone_number))
    after = client.get(conversation(str(host.phone_number))).text

    assert "Not opted out of SMS." in before
    assert "Opted out of SMS (Replied STOP)" in after


def test_a_number_with_no_user_long_and_japanese_bodies_render(login, staff):
    long_body = "長い" * 800  # 1,600 characters, the most Twilio takes
    received(STRANGER, long_body)
    received(STRANGER, "はい、お願いします <b>&amp;</b>\nline two", reply="申し訳ありません")

    response = login(staff).get(conversation(STRANGER))

    assert response.status_code == 200
    assert long_body in response.text
    assert "&lt;b&gt;&amp;amp;&lt;/b&gt;<br>line two" in response.text
    assert "申し訳ありません" in response.text
    assert "No account has this number." in response.text


def test_a_number_with_no_sms_says_so(login, staff):
    response = login(staff).get(conversation("+12015550000"))

    assert response.status_code == 200
    assert "No SMS to or from this number." in response.text


def test_a_number_in_another_format_shows_the_same_conversation(login, staff):
    received(STRANGER, "hello")

    response = login(staff).get(conversation("+1 (201) 555-0177"))

    assert rows(response) == [("in", "hello")]


def test_verification_codes_are_masked_before_they_are_used(login, staff, make_user):
    ada = make_user(first_name="Ada", phone_verified=False)
    accounts.send_verification_code(user=ada)
    code_sms = Message.objects.get(user=ada)
    assert "••••••" not in code_sms.body  # the worker sends the code itself

    client = login(staff)
    page = client.get(conversation(str(ada.phone_number))).text
    in_list = client.get(CHANGELIST).text
    detail = client.get(reverse("admin:messaging_message_change", args=[code_sms.pk])).text

    for shown in (page, in_list, detail):
        assert "Your Airtng code is ••••••." in shown
        assert code_sms.body not in shown


def test_the_log_shows_whole_bodies_and_links_each_number_to_its_conversation(login, staff):
    long_body = "x" * 1599 + "!"
    queue_sms(to=STRANGER, body=long_body)
    received("+12015550178", "accept")

    page = login(staff).get(CHANGELIST).text

    assert long_body in page
    assert f'href="{conversation(STRANGER)}"' in page
    assert f'href="{conversation("+12015550178")}"' in page


def test_an_sms_page_links_to_the_conversation_it_belongs_to(login, staff):
    message = received(STRANGER, "hello")

    page = login(staff).get(reverse("admin:messaging_message_change", args=[message.pk])).text

    assert f'href="{conversation(STRANGER)}"' in page


def test_each_opted_out_number_links_to_its_conversation(login, staff):
    OptOut.objects.create(phone_number=STRANGER)

    page = login(staff).get(reverse("admin:messaging_optout_changelist")).text

    assert f'href="{conversation(STRANGER)}"' in page


def test_the_user_page_links_to_the_users_conversation(login, staff, host):
    page = login(staff).get(reverse("admin:accounts_user_change", args=[host.pk])).text

    assert f'href="{conversation(str(host.phone_number))}"' in page


def test_only_the_latest_sms_of_a_long_conversation_are_shown(login, staff, settings):
    from airtng.messaging import admin as messaging_admin

    start = timezone.now() - timedelta(days=1)
    Message.objects.bulk_create(
        Message(
            direction=Direction.INBOUND,
            to="+15005550006",
            from_number=STRANGER,
            body=f"sms {n}",
            status="received",
        )
        for n in range(messaging_admin.CONVERSATION_LENGTH + 2)
    )
    for n, message in enumerate(Message.objects.order_by("id")):
        Message.objects.filter(pk=message.pk).update(created_at=start + timedelta(seconds=n))

    response = login(staff).get(conversation(STRANGER))

    bodies = [body for _, body in rows(response)]
    assert bodies[0] == "sms 2"
    assert bodies[-1] == f"sms {messaging_admin.CONVERSATION_LENGTH + 1}"
    assert "The latest 500 of 502 SMS" in response.text


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def some_sms(count, *, users):
    for n in range(count):
        user = users[n % len(users)]
        queue_sms(to=STRANGER, body=f"Out {n}", user=user)
        received(STRANGER, f"In {n}", user=user, reply=f"Reply {n}")


def test_the_conversations_queries_do_not_grow_with_its_length(login, staff, make_user):
    users = [make_user() for _ in range(3)]
    client = login(staff)
    some_sms(2, users=users)
    few = queries_for(client, conversation(STRANGER))
    some_sms(20, users=users)

    assert queries_for(client, conversation(STRANGER)) == few


def test_the_logs_queries_do_not_grow_with_its_length(
    login, staff, make_user, listing, guest, make_reservation
):
    users = [make_user() for _ in range(3)]
    make_reservation(listing, guest)
    client = login(staff)
    some_sms(2, users=users)
    few = queries_for(client, CHANGELIST)
    some_sms(20, users=users)

    assert queries_for(client, CHANGELIST) == few


@pytest.fixture
def view_only_staff(make_user):
    return grant(make_user(is_staff=True), "messaging.view_message")


def test_staff_without_the_logs_permission_see_no_conversation(login, make_user):
    received(STRANGER, "private")
    plain_staff = make_user(is_staff=True)

    response = login(plain_staff).get(conversation(STRANGER))

    assert response.status_code == 403
    assert "private" not in response.text


def test_staff_who_may_view_the_log_see_conversations(login, view_only_staff):
    received(STRANGER, "hello")

    assert rows(login(view_only_staff).get(conversation(STRANGER))) == [("in", "hello")]


def test_people_who_are_not_staff_are_sent_to_log_in(login, guest):
    response = login(guest).get(conversation(STRANGER))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_the_conversation_reads_in_japanese(login, staff):
    staff.language = "ja"
    staff.save(update_fields=["language"])
    queue_sms(to=STRANGER, body="Hello")
    Message.objects.update(status="failed", error_code=21610)

    page = login(staff).get(conversation(STRANGER)).text

    assert "この番号のアカウントはありません。" in page
    assert "STOP" in page
