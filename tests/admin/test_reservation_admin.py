"""Staff change a reservation's state only through actions that call the services."""

from django.urls import reverse

from reservations.models import OutstandingRequest, Reservation
from tests.conftest import days_from_now, grant

Status = Reservation.Status


def change_form(reservation, **fields):
    data = {
        "guest": reservation.guest_id,
        "property": reservation.property_id,
        "check_in": reservation.check_in.isoformat(),
        "check_out": reservation.check_out.isoformat(),
        "guests": reservation.guests,
        "message": reservation.message,
        "status": "confirmed",
    }
    return {**data, **fields}


def test_the_change_form_cannot_set_the_status(
    login, staff, guest, host, listing, make_reservation
):
    reservation = make_reservation(listing, guest)
    url = reverse("admin:reservations_reservation_change", args=[reservation.pk])
    client = login(staff)

    page = client.get(url)
    response = client.post(url, change_form(reservation, status="confirmed", message="edited"))

    assert 'name="status"' not in page.text
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert (reservation.status, reservation.message) == (Status.PENDING, "edited")
    assert OutstandingRequest.objects.get(host=host).reservation == reservation


def test_moving_a_confirmed_stay_onto_another_is_refused_not_a_500(
    login, staff, guest, make_user, listing, make_reservation
):
    make_reservation(
        listing,
        make_user(),
        status=Status.CONFIRMED,
        check_in=days_from_now(20),
        check_out=days_from_now(23),
    )
    moved = make_reservation(listing, guest, status=Status.CONFIRMED)
    url = reverse("admin:reservations_reservation_change", args=[moved.pk])

    response = login(staff).post(
        url,
        change_form(
            moved, check_in=days_from_now(21).isoformat(), check_out=days_from_now(22).isoformat()
        ),
        follow=True,
    )

    assert response.status_code == 200
    assert "Those dates overlap a confirmed stay at this property." in response.text
    moved.refresh_from_db()
    assert moved.check_in == days_from_now(10)


def test_reservations_are_history_and_cannot_be_deleted_in_the_admin(
    login, staff, guest, listing, make_reservation
):
    reservation = make_reservation(listing, guest)

    response = login(staff).post(
        reverse("admin:reservations_reservation_delete", args=[reservation.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Reservation.objects.filter(pk=reservation.pk).exists()


def test_an_offer_cannot_be_edited_or_deleted_in_the_admin(
    login, staff, guest, host, listing, make_reservation
):
    make_reservation(listing, guest)

    response = login(staff).post(
        reverse("admin:reservations_outstandingrequest_delete", args=[host.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert OutstandingRequest.objects.filter(host=host).exists()


def test_the_cancel_action_cancels_through_the_service_and_tells_the_host(
    login, staff, guest, host, listing, make_user, make_reservation
):
    offered = make_reservation(listing, guest)
    later = make_reservation(
        listing, make_user(), check_in=days_from_now(30), check_out=days_from_now(31)
    )

    login(staff).post(
        reverse("admin:reservations_reservation_changelist"),
        {"action": "cancel_selected", "_selected_action": [offered.pk]},
    )

    offered.refresh_from_db()
    assert offered.status == Status.CANCELLED
    assert OutstandingRequest.objects.get(host=host).reservation == later


def test_a_request_added_in_the_admin_is_pending_and_reaches_its_host(
    login, staff, guest, host, listing
):
    response = login(staff).post(
        reverse("admin:reservations_reservation_add"),
        {
            "guest": guest.pk,
            "property": listing.pk,
            "check_in": days_from_now(10).isoformat(),
            "check_out": days_from_now(12).isoformat(),
            "guests": 1,
            "message": "Booked by phone with staff.",
            "status": "confirmed",
        },
    )

    assert response.status_code == 302
    reservation = Reservation.objects.get()
    assert reservation.status == Status.PENDING
    assert OutstandingRequest.objects.get(host=host).reservation == reservation


def test_staff_who_may_only_view_reservations_cannot_decide_them(
    login, make_user, guest, listing, make_reservation
):
    viewer = grant(make_user(is_staff=True), "reservations.view_reservation")
    reservation = make_reservation(listing, guest)
    client = login(viewer)
    changelist = reverse("admin:reservations_reservation_changelist")

    page = client.get(changelist)
    for action in ("accept_selected", "reject_selected", "cancel_selected"):
        client.post(changelist, {"action": action, "_selected_action": [reservation.pk]})

    assert page.status_code == 200
    assert "accept_selected" not in page.text
    reservation.refresh_from_db()
    assert reservation.status == Status.PENDING


def test_staff_who_may_change_reservations_decide_them(
    login, make_user, guest, listing, make_reservation
):
    decider = grant(
        make_user(is_staff=True),
        "reservations.view_reservation",
        "reservations.change_reservation",
    )
    reservation = make_reservation(listing, guest)

    login(decider).post(
        reverse("admin:reservations_reservation_changelist"),
        {"action": "reject_selected", "_selected_action": [reservation.pk]},
    )

    reservation.refresh_from_db()
    assert (reservation.status, reservation.decided_via) == (Status.REJECTED, "admin")


def test_staff_without_the_reservation_permission_see_none(
    login, make_user, guest, listing, make_reservation
):
    reservation = make_reservation(listing, guest)
    client = login(make_user(is_staff=True))

    assert client.get(reverse("admin:reservations_reservation_changelist")).status_code == 403
    change = reverse("admin:reservations_reservation_change", args=[reservation.pk])
    assert client.get(change).status_code == 403


def test_the_change_page_shows_the_timeline_with_its_sms(
    login, staff, guest, listing, make_reservation
):
    reservation = make_reservation(listing, guest)

    page = (
        login(staff)
        .get(reverse("admin:reservations_reservation_change", args=[reservation.pk]))
        .text
    )

    assert 'class="timeline"' in page
    assert "Requested by Gus" in page
    assert "SMS to Hannah" in page
