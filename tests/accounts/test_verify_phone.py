"""A user proves their number with a texted code before they list a property or request a stay."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import CODE_TTL, RESEND_INTERVAL, PhoneVerification, User
from airtng.limits.models import RateLimit
from airtng.messaging.models import Message, OptOut
from properties.models import Property
from reservations.models import Reservation
from tests.accounts.test_signup import finish_signing_up
from tests.conftest import PASSWORD, days_from_now

# libphonenumber treats 201-555-01xx as valid US numbers.
ADA_NUMBER = "+12015550123"
CODE_SMS = re.compile(r"Your Airtng code is (\d{6})\. It expires in 10 minutes\.")
VERIFY = reverse("verify_phone")
SEND = reverse("send_verification_code")


@pytest.fixture
def ada(make_user):
    return make_user(first_name="Ada", phone_number=ADA_NUMBER, phone_verified=False)


@pytest.fixture
def text_code(twilio, run_worker, client):
    """Ask for a code as the logged-in user; the code, as it arrived by SMS."""

    def text(next=None):
        url = SEND + (f"?next={next}" if next else "")
        response = client.post(url)
        assert response.status_code == 302
        run_worker()
        return CODE_SMS.fullmatch(twilio.sent[-1]["Body"]).group(1)

    return text


def other_than(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def as_if_passed(user, time):
    """Move every timestamp of the user's verification, and every rate limit's window, into
    the past, as if `time` passed."""
    PhoneVerification.objects.filter(user=user).update(
        sent_at=F("sent_at") - time,
        expires_at=F("expires_at") - time,
        sends_since=F("sends_since") - time,
    )
    RateLimit.objects.update(window_started_at=F("window_started_at") - time)


def test_the_page_shows_the_number_and_offers_to_text_a_code(login, ada):
    response = login(ada).get(VERIFY)

    assert response.status_code == 200
    assert "show us that +1 201-555-0123 is yours" in response.text
    assert f'action="{SEND}"' in response.text
    assert "Text me a code" in response.text
    assert 'name="code"' in response.text


@pytest.mark.django_db
def test_it_requires_login(client):
    response = client.get(VERIFY)

    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=" + VERIFY


def test_the_code_is_texted_through_the_sending_path(twilio, run_worker, login, ada):
    client = login(ada)

    response = client.post(SEND)
    run_worker()

    assert response.status_code == 302
    assert response.url == VERIFY
    assert "We texted a code to +1 201-555-0123. It expires in 10 minutes." in (
        client.get(VERIFY).text
    )
    [sms] = twilio.sent
    assert (sms["To"], sms["From"]) == (ADA_NUMBER, "+15005550006")
    code = CODE_SMS.fullmatch(sms["Body"]).group(1)
    assert Message.objects.get().user == ada
    verification = PhoneVerification.objects.get(user=ada)
    assert code not in verification.code_hash


def test_the_right_code_verifies_the_number(login, ada, text_code):
    client = login(ada)
    code = text_code()

    response = client.post(VERIFY, {"code": code})

    assert response.status_code == 302
    assert response.url == reverse("profile")
    ada.refresh_from_db()
    assert ada.phone_verified is True
    profile = client.get(response.url).text
    assert "Your phone number is verified." in profile
    assert f'href="{VERIFY}"' not in profile


def test_the_code_may_be_typed_with_a_space(login, ada, text_code):
    client = login(ada)
    code = text_code()

    client.post(VERIFY, {"code": f" {code[:3]} {code[3:]} "})

    ada.refresh_from_db()
    assert ada.phone_verified is True


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "12345a", "١٢٣٤٥٦"])
def test_a_code_that_is_not_six_digits_is_refused_without_using_a_try(login, ada, text_code, typed):
    client = login(ada)
    text_code()

    response = client.post(VERIFY, {"code": typed})

    assert response.status_code == 200
    assert (
        "Enter the 6-digit code we texted you." in response.text
        or "The code is 6 digits, like 123456." in response.text
    )
    assert PhoneVerification.objects.get(user=ada).attempts == 0


def test_a_wrong_code_says_how_many_tries_are_left(login, ada, text_code):
    client = login(ada)
    code = text_code()

    first = client.post(VERIFY, {"code": other_than(code)})
    second = client.post(VERIFY, {"code": other_than(code)})

    assert first.status_code == 200
    assert "That code is wrong. You have 4 more tries." in first.text
    assert "That code is wrong. You have 3 more tries." in second.text
    ada.refresh_from_db()
    assert ada.phone_verified is False


def test_after_five_wrong_tries_even_the_right_code_is_refused(login, ada, text_code):
    client = login(ada)
    code = text_code()
    for _ in range(4):
        client.post(VERIFY, {"code": other_than(code)})

    fifth = client.post(VERIFY, {"code": other_than(code)})
    sixth = client.post(VERIFY, {"code": code})

    assert "That code is wrong, and it was the last try. Ask for a new code." in fifth.text
    assert sixth.status_code == 200
    assert "That code was tried too many times. Ask for a new one." in sixth.text
    ada.refresh_from_db()
    assert ada.phone_verified is False


def test_a_new_code_gives_five_new_tries(login, ada, text_code):
    client = login(ada)
    old_code = text_code()
    for _ in range(5):
        client.post(VERIFY, {"code": other_than(old_code)})
    as_if_passed(ada, RESEND_INTERVAL)

    new_code = text_code()
    client.post(VERIFY, {"code": new_code})

    ada.refresh_from_db()
    assert ada.phone_verified is True


@pytest.mark.parametrize(
    ("passed", "verified"),
    [(CODE_TTL - timedelta(seconds=5), True), (CODE_TTL, False)],
    ids=["9m55s", "10m"],
)
def test_a_code_expires_after_ten_minutes(login, ada, text_code, passed, verified):
    client = login(ada)
    code = text_code()
    as_if_passed(ada, passed)

    response = client.post(VERIFY, {"code": code})

    ada.refresh_from_db()
    assert ada.phone_verified is verified
    if not verified:
        assert "That code has expired. Ask for a new one." in response.text


def test_an_earlier_code_stops_working_when_a_new_one_is_sent(login, ada, text_code):
    client = login(ada)
    old_code = text_code()
    as_if_passed(ada, RESEND_INTERVAL)
    new_code = text_code()
    assert old_code != new_code  # one chance in a million that this test cannot tell

    response = client.post(VERIFY, {"code": old_code})

    assert "That code is wrong. You have 4 more tries." in response.text


def test_a_code_texted_to_the_old_number_does_not_verify_a_new_one(login, ada, text_code):
    client = login(ada)
    code = text_code()
    ada.phone_number = "+12015550142"
    ada.save()

    response = client.post(VERIFY, {"code": code})

    assert "There is no code to check: ask for one first." in response.text
    ada.refresh_from_db()
    assert ada.phone_verified is False


def test_a_new_code_waits_a_minute_after_the_last(twilio, login, ada, text_code):
    client = login(ada)
    text_code()

    too_soon = client.post(SEND, follow=True)
    as_if_passed(ada, RESEND_INTERVAL)
    text_code()

    assert re.search(r"You can ask for another code in \d+ seconds?\.", too_soon.text)
    assert len(twilio.sent) == 2


def test_at_most_five_codes_are_texted_an_hour(twilio, login, ada, text_code):
    client = login(ada)
    for _ in range(5):
        text_code()
        as_if_passed(ada, RESEND_INTERVAL)

    sixth = client.post(SEND, follow=True)
    assert "You can ask for another code in 55 minutes." in sixth.text
    assert len(twilio.sent) == 5

    as_if_passed(ada, timedelta(hours=1))
    text_code()
    assert len(twilio.sent) == 6


def test_a_user_who_replied_stop_is_told_to_text_start(
    twilio, run_worker, login, make_user, settings
):
    settings.TWILIO_PHONE_NUMBER = "+12015550100"
    stopped = make_user(phone_verified=False)
    OptOut.objects.create(phone_number=str(stopped.phone_number))
    client = login(stopped)

    response = client.post(SEND, follow=True)
    run_worker()

    assert (
        "You asked Airtng to stop texting you, so we cannot send a code. "
        "Text START to +1 201-555-0100, then ask again."
    ) in response.text
    assert twilio.sent == []
    assert not Message.objects.exists()


def test_verifying_a_host_texts_them_their_waiting_request(
    twilio, run_worker, login, host, listing, guest, make_reservation, text_code
):
    host.phone_verified = False
    host.save()
    make_reservation(listing, guest)
    run_worker()
    assert [sms["To"] for sms in twilio.sent] == [str(guest.phone_number)]  # request sent
    twilio.reset()
    client = login(host)

    client.post(VERIFY, {"code": text_code()})
    run_worker()

    [_code, request] = twilio.sent
    assert request["To"] == str(host.phone_number)
    assert request["Body"].startswith(
        "You have a new reservation request from Gus for Cabin by the lake"
    )


def test_a_verified_user_is_sent_on(login, guest):
    response = login(guest).get(VERIFY + "?next=/properties/mine/")

    assert response.status_code == 302
    assert response.url == "/properties/mine/"


def test_verifying_does_not_continue_off_the_site(login, ada, text_code):
    client = login(ada)
    code = text_code(next="https://evil.example.com/")

    response = client.post(VERIFY + "?next=https://evil.example.com/", {"code": code})

    assert response.url == reverse("profile")


# Listing a property and requesting a stay need a verified number


def test_an_unverified_user_verifies_before_listing_and_comes_back(login, ada, text_code):
    client = login(ada)

    response = client.get(reverse("property_create"))

    assert response.status_code == 302
    assert response.url == VERIFY + "?next=%2Fproperties%2Fnew%2F"
    page = client.get(response.url)
    assert "Before you list a property or request a stay, verify your phone number." in page.text
    assert f'action="{SEND}?next=/properties/new/"' in page.text

    code = text_code(next="/properties/new/")
    verified = client.post(response.url, {"code": code})

    assert verified.url == reverse("property_create")
    assert client.get(verified.url).status_code == 200


def test_an_unverified_user_cannot_list_a_property(login, ada):
    response = login(ada).post(
        reverse("property_create"),
        {
            "title": "Treehouse",
            "description": "Up a ladder.",
            "location": "Bend, OR",
            "nightly_price": "95",
            "max_guests": "2",
            "image_url": "https://example.com/treehouse.jpg",
        },
    )

    assert response.url.startswith(VERIFY)
    assert not Property.objects.exists()


def test_an_unverified_guest_verifies_before_requesting_a_stay(login, ada, listing, text_code):
    client = login(ada)
    request_url = reverse("request_stay", args=[listing.pk])

    page = client.get(listing.get_absolute_url())
    response = client.post(
        request_url,
        {
            "check_in": days_from_now(10).isoformat(),
            "check_out": days_from_now(12).isoformat(),
            "guests": 1,
            "message": "Hello!",
        },
    )

    assert "Before you request a stay, verify your phone number." in page.text
    verify_link = f"{VERIFY}?next={listing.get_absolute_url()}%23request"
    assert f'href="{verify_link}"' in page.text
    assert request_url not in page.text
    assert response.status_code == 302
    assert response.url == f"{VERIFY}?next={request_url.replace('/', '%2F')}"
    assert not Reservation.objects.exists()

    verified = client.post(verify_link, {"code": text_code()})

    assert verified.url == listing.get_absolute_url() + "#request"
    assert request_url in client.get(verified.url).text


def test_the_profile_links_to_verifying_an_unverified_number(login, ada):
    response = login(ada).get(reverse("profile"))

    assert "Your phone number is not verified yet." in response.text
    assert f'href="{VERIFY}"' in response.text


# Signing up


@pytest.mark.django_db
def test_signing_up_texts_the_first_code_and_asks_for_it(twilio, run_worker, client):
    client.post(
        reverse("signup") + "?next=/properties/new/",
        {
            "first_name": "Ada",
            "email": "ada@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "phone_number_0": "US",
            "phone_number_1": "(201) 555-0123",
        },
    )
    response = finish_signing_up(client)
    run_worker()

    assert response.url == VERIFY + "?next=%2Fproperties%2Fnew%2F"
    page = client.get(response.url)
    assert "Welcome to Airtng, Ada!" in page.text
    assert "We texted a code to +1 201-555-0123. It expires in 10 minutes." in page.text
    [sms] = twilio.sent
    assert sms["To"] == ADA_NUMBER

    code = CODE_SMS.fullmatch(sms["Body"]).group(1)
    verified = client.post(response.url, {"code": code})

    assert verified.url == "/properties/new/"
    assert User.objects.get().phone_verified is True


def test_a_code_the_worker_reaches_only_after_it_expired_is_not_sent(
    twilio, run_worker, login, ada
):
    assert login(ada).post(SEND).status_code == 302
    code_sms = Message.objects.get(to=ADA_NUMBER)

    with time_machine.travel(timezone.now() + CODE_TTL + timedelta(seconds=1)):
        run_worker()

    assert twilio.sent == []
    code_sms.refresh_from_db()
    assert code_sms.status == "failed"
    assert "expired" in code_sms.error_message
