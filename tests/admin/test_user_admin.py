"""Staff see a person whole on the user page, and find them by name, email or any number."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as accounts
from accounts.models import PhoneVerification
from airtng.messaging.models import OptOut
from reservations.models import Reservation
from tests.conftest import grant

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_user_changelist")


def user_page(client, user):
    response = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert response.status_code == 200
    return response.text


def found(client, term):
    response = client.get(CHANGELIST, {"q": term})
    assert response.status_code == 200
    return {user.email for user in response.context["cl"].result_list}


@pytest.fixture
def ada(make_user):
    return make_user(
        first_name="Ada", last_name="Lovelace", email="ada@example.com", phone_number="+12025550101"
    )


@pytest.fixture
def kenji(make_user):
    return make_user(
        first_name="Kenji", email="kenji@example.jp", phone_number="+819012345678", language="ja"
    )


@pytest.mark.parametrize(
    "term",
    [
        "+12025550101",
        "+1 (202) 555-0101",
        "(202) 555-0101",
        "202.555.0101",
        "202-555-0101",
        "２０２−５５５−０１０１",
        "Ada",
        "Lovelace",
        "Ada Lovelace",
        "ADA@example.com",
    ],
)
def test_staff_find_a_user_by_name_email_or_number_in_any_format(login, staff, ada, kenji, term):
    assert found(login(staff), term) == {"ada@example.com"}


@pytest.mark.parametrize(
    "term", ["+81 90-1234-5678", "090-1234-5678", "09012345678", "+819012345678"]
)
def test_staff_find_a_japanese_number_as_written_in_japan_or_abroad(login, staff, ada, kenji, term):
    assert found(login(staff), term) == {"kenji@example.jp"}


def test_a_number_nobody_has_finds_nobody(login, staff, ada, kenji):
    assert found(login(staff), "+1 (202) 555-0199") == set()


def test_the_user_page_shows_language_and_how_requests_reach_them(login, staff, kenji):
    page = user_page(login(staff), kenji)

    assert "Japanese" in page
    assert "Text me; I reply accept or reject" in page
    assert 'name="language"' not in page  # the person chooses it in their profile


def test_the_user_page_shows_phone_verification(login, staff, make_user, time_machine):
    unverified = make_user(phone_verified=False)
    client = login(staff)
    assert "No code was texted." in user_page(client, unverified)

    accounts.send_verification_code(user=unverified)
    assert "tries left" in user_page(client, unverified)

    time_machine.move_to(timezone.now() + timezone.timedelta(minutes=11))
    assert "expired unused" in user_page(client, unverified)


def test_the_user_page_shows_a_confirmed_code(login, staff, make_user):
    user = make_user(phone_verified=False)
    PhoneVerification.objects.create(
        user=user,
        phone_number=user.phone_number,
        code_hash="x",
        sent_at=timezone.now(),
        expires_at=timezone.now() + timezone.timedelta(minutes=10),
        sends_since=timezone.now(),
        confirmed_at=timezone.now(),
    )

    assert f"Confirmed the code texted to {user.phone_number}" in user_page(login(staff), user)


def test_the_user_page_shows_the_numbers_opt_out(login, staff, ada):
    OptOut.objects.create(phone_number="+12025550101", reason=OptOut.Reason.TWILIO)

    page = user_page(login(staff), ada)

    assert "Twilio refused to text it (error 21610)" in page


def test_the_user_page_lists_reservations_as_host_and_as_guest(
    login, staff, host, guest, listing, make_property, make_user, make_reservation
):
    as_host = make_reservation(listing, guest)
    elsewhere = make_property(make_user(first_name="Ravi"), title="Beach bungalow")
    as_guest = make_reservation(elsewhere, host, status=Reservation.Status.CONFIRMED)

    page = user_page(login(staff), host)

    hosting = page[page.index("As host") : page.index("As guest")]
    staying = page[page.index("As guest") :]
    assert reverse("admin:reservations_reservation_change", args=[as_host.pk]) in hosting
    assert "Cabin by the lake" in hosting
    assert reverse("admin:reservations_reservation_change", args=[as_guest.pk]) in staying
    assert "Beach bungalow" in staying and "Confirmed" in staying


def test_a_user_with_many_reservations_shows_the_latest_and_links_to_all(
    login, staff, host, listing, make_user, make_reservation
):
    from accounts.admin import RESERVATIONS_SHOWN

    for _ in range(RESERVATIONS_SHOWN + 1):
        make_reservation(listing, make_user())

    page = user_page(login(staff), host)

    assert f"All {RESERVATIONS_SHOWN + 1} reservations" in page
    assert f"?q={host.email}" in page


def test_a_user_page_in_japanese_reads_in_japanese(login, staff, make_user):
    staff.language = "ja"
    staff.save(update_fields=["language"])

    page = user_page(login(staff), make_user(phone_verified=False))

    assert "認証コードは送られていません。" in page


def test_staff_without_the_user_permission_see_no_user(login, make_user, ada):
    plain_staff = make_user(is_staff=True)
    client = login(plain_staff)

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(reverse("admin:accounts_user_change", args=[ada.pk])).status_code == 403


def test_staff_who_may_view_users_see_them_read_only(login, make_user, ada):
    viewer = grant(make_user(is_staff=True), "accounts.view_user")

    page = user_page(login(viewer), ada)

    assert "+12025550101" in page
    assert 'name="first_name"' not in page
