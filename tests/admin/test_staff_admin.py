import pytest
from django.urls import reverse

from accounts.models import User
from airtng.messaging.models import OptOut
from reservations.models import Reservation

Status = Reservation.Status


@pytest.mark.parametrize(
    "model", ["accounts/user", "properties/property", "reservations/reservation"]
)
def test_staff_see_every_model(login, staff, guest, listing, make_reservation, model):
    make_reservation(listing, guest)

    response = login(staff).get(f"/admin/{model}/")

    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_reservation_list_shows_guest_host_property_and_status(
    login, staff, guest, listing, make_reservation
):
    make_reservation(listing, guest)

    response = login(staff).get(reverse("admin:reservations_reservation_changelist"))

    row = response.text[response.text.index('id="result_list"') :]
    for shown in (listing.title, guest.first_name, listing.host.first_name, "Pending"):
        assert shown in row


def test_reservations_filter_by_status_and_search_by_guest(
    login, staff, guest, make_user, listing, make_reservation
):
    make_reservation(listing, guest, status=Status.CONFIRMED)
    make_reservation(listing, make_user(first_name="Zed"))
    url = reverse("admin:reservations_reservation_changelist")
    client = login(staff)

    confirmed = client.get(url, {"status__exact": "confirmed"}).context["cl"].result_count
    found = client.get(url, {"q": "Zed"}).context["cl"].result_count

    assert (confirmed, found) == (1, 1)


def test_reservation_change_page_shows_the_host(login, staff, guest, listing, make_reservation):
    reservation = make_reservation(listing, guest)

    response = login(staff).get(
        reverse("admin:reservations_reservation_change", args=[reservation.pk])
    )

    host_link = reverse("admin:accounts_user_change", args=[listing.host.pk])
    assert response.status_code == 200
    assert f'<a href="{host_link}">Hannah</a>' in response.text


@pytest.mark.parametrize(
    ("action", "status"),
    [("accept_selected", Status.CONFIRMED), ("reject_selected", Status.REJECTED)],
)
def test_admin_actions_decide_through_the_decision_function(
    login, staff, guest, listing, make_reservation, action, status
):
    reservation = make_reservation(listing, guest)

    login(staff).post(
        reverse("admin:reservations_reservation_changelist"),
        {"action": action, "_selected_action": [reservation.pk]},
    )

    reservation.refresh_from_db()
    assert reservation.status == status
    assert reservation.decided_via == Reservation.Channel.ADMIN


def test_admin_accept_reports_what_it_could_not_do(
    login, staff, guest, make_user, listing, make_reservation
):
    first = make_reservation(listing, guest)
    overlapping = make_reservation(listing, make_user())
    decided = make_reservation(listing, make_user(), status=Status.REJECTED)

    response = login(staff).post(
        reverse("admin:reservations_reservation_changelist"),
        {"action": "accept_selected", "_selected_action": [first.pk, overlapping.pk, decided.pk]},
        follow=True,
    )

    statuses = dict(Reservation.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: Status.CONFIRMED,
        overlapping.pk: Status.DECLINED,
        decided.pk: Status.REJECTED,
    }
    assert f"{overlapping}: This request was already decided." in response.text
    assert f"{decided}: This request was already decided." in response.text
    assert "1 reservation(s) decided." in response.text


def test_non_staff_cannot_open_the_admin(login, guest):
    response = login(guest).get(reverse("admin:reservations_reservation_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_can_add_a_user_with_a_phone_number(login, staff):
    response = login(staff).post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New@Example.com",
            "first_name": "New",
            "phone_number": "+12025550188",
            "usable_password": "true",
            "password1": "a-long-test-password-42",
            "password2": "a-long-test-password-42",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email="new@example.com", phone_number="+12025550188").exists()


OUR_APPS = {"accounts", "properties", "reservations", "ivr", "messaging"}
# Edited on their menu's, call's and listing's page.
EDITED_INLINE = {"ivr.option", "ivr.callstep", "properties.photo"}


def test_every_model_of_ours_has_an_admin_page_staff_can_open(login, staff):
    from django.apps import apps
    from django.contrib import admin

    client = login(staff)
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model._meta.label_lower in EDITED_INLINE:
            continue
        assert admin.site.is_registered(model), model
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_staff_see_who_opted_out_in_the_user_list_and_page(login, staff, host, guest):
    OptOut.objects.create(phone_number=str(host.phone_number))
    client = login(staff)

    listing = client.get(reverse("admin:accounts_user_changelist"), {"opted_out": "yes"})
    page = client.get(reverse("admin:accounts_user_change", args=[host.pk]))

    assert [user.pk for user in listing.context["cl"].result_list] == [host.pk]
    assert "Opted out of SMS" in page.text
    assert "Replied STOP" in page.text


def test_staff_see_each_opted_out_number(login, staff, host):
    OptOut.objects.create(phone_number=str(host.phone_number))

    response = login(staff).get(reverse("admin:messaging_optout_changelist"))

    assert response.status_code == 200
    assert str(host.phone_number) in response.text
    assert "hannah@example.com" in response.text
    assert "Replied STOP" in response.text
