"""Caller ID is easy to fake: a host's request is read and decided on the phone only once the
call proves the caller owns the number (../shared/PRODUCT.md, "Deciding without SMS")."""

import pytest

from accounts.models import PhonePin
from reservations.models import Reservation
from tests.conftest import twiml_root
from tests.ivr.test_voice_line import DECISION, VOICE, attested_call, call_from, said

PIN = "2468"
Status = Reservation.Status


@pytest.fixture
def pending(listing, guest, make_reservation):
    return make_reservation(listing, guest)


@pytest.fixture
def set_pin(client, host):
    def set_pin(pin=PIN):
        client.force_login(host)
        response = client.post("/accounts/pin/", {"pin": pin, "pin_again": pin})
        client.logout()
        return response

    return set_pin


def gathers(root):
    return root.findall("./Gather")


def enter_pin(call_webhook, host, pin, *, action=None):
    """Call without attestation; at the PIN prompt (or `action`), enter `pin`."""
    if action is None:
        action = twiml_root(call_webhook(VOICE, call_from(host.phone_number))).find("./Gather")
        action = action.attrib["action"]
    return twiml_root(call_webhook(action, call_from(host.phone_number, Digits=pin)))


@pytest.mark.parametrize(
    "verstat",
    [None, "TN-Validation-Passed-B", "TN-Validation-Passed-C", "TN-Validation-Failed", "No-TN"],
)
def test_caller_id_alone_hears_no_details_and_decides_nothing(call_webhook, host, pending, verstat):
    root = twiml_root(call_webhook(VOICE, call_from(host.phone_number, StirVerstat=verstat)))

    assert gathers(root) == []
    assert said(root) == [
        "Thanks for calling, Hannah!",
        "To hear and answer your requests on the phone, set a phone PIN in your Airtng profile. "
        "Goodbye!",
    ]
    assert "Gus" not in str(said(root))


def test_an_attested_call_hears_the_request(call_webhook, host, pending):
    root = twiml_root(call_webhook(VOICE, attested_call(host.phone_number)))

    assert gathers(root)[0].attrib["action"].startswith(f"{DECISION}?state=")
    assert "Gus asks to stay" in said(root, "./Gather/Say")[0]


def test_a_host_with_a_pin_is_asked_for_it(call_webhook, host, pending, set_pin):
    set_pin()

    root = twiml_root(call_webhook(VOICE, call_from(host.phone_number)))

    [gather] = gathers(root)
    assert gather.attrib["numDigits"] == "4"
    assert gather.attrib["action"].startswith(f"{VOICE}?state=")
    assert said(root, "./Gather/Say") == [
        "Thanks for calling, Hannah! Please enter your phone PIN."
    ]
    assert "Gus" not in root.find("./Gather/Say").text


def test_the_right_pin_reads_the_request_and_1_confirms_it(call_webhook, host, pending, set_pin):
    set_pin()

    root = enter_pin(call_webhook, host, PIN)
    action = root.find("./Gather").attrib["action"]
    decided = twiml_root(call_webhook(action, call_from(host.phone_number, Digits="1")))

    assert "Gus asks to stay" in said(root, "./Gather/Say")[0]
    assert said(decided)[0].startswith("You have successfully confirmed the reservation.")
    pending.refresh_from_db()
    assert (pending.status, pending.decided_via) == (Status.CONFIRMED, "phone")


def test_a_wrong_pin_is_asked_again_and_reads_nothing(call_webhook, host, pending, set_pin):
    set_pin()

    root = enter_pin(call_webhook, host, "1357")

    assert said(root)[0] == "That PIN is wrong."
    assert gathers(root)[0].attrib["numDigits"] == "4"
    assert "Gus" not in str(said(root, "./Gather/Say"))


def test_after_five_wrong_pins_even_the_right_one_is_refused(call_webhook, host, pending, set_pin):
    set_pin()
    action = None
    for _ in range(5):
        root = enter_pin(call_webhook, host, "0000", action=action)
        action = root.find("./Gather").attrib["action"] if gathers(root) else None

    root = twiml_root(call_webhook(VOICE, call_from(host.phone_number)))
    action = root.find("./Gather").attrib["action"]
    final = enter_pin(call_webhook, host, PIN, action=action)

    assert said(final) == [
        "That PIN was wrong too many times. Set a new one in your Airtng profile. Goodbye!"
    ]
    assert gathers(final) == []


def test_a_pin_step_signed_for_another_call_proves_nothing(call_webhook, host, pending, set_pin):
    set_pin()
    prompt = twiml_root(call_webhook(VOICE, call_from(host.phone_number, CallSid="CA" + "7" * 32)))
    action = prompt.find("./Gather").attrib["action"]

    root = twiml_root(call_webhook(action, call_from(host.phone_number, Digits=PIN)))

    assert "Gus" not in str(said(root, ".//Say"))


# --- The PIN in the profile -----------------------------------------------------------------


def test_the_profile_sets_a_hashed_pin(set_pin, host):
    response = set_pin()

    assert response.status_code == 302
    stored = PhonePin.objects.get(user=host)
    assert PIN not in stored.pin_hash


@pytest.mark.parametrize("pin", ["123", "12345", "12a4", "١٢٣٤"])
def test_a_pin_is_four_digits(set_pin, pin):
    response = set_pin(pin)

    assert response.status_code == 200
    assert "The PIN is 4 digits, like 2468." in response.text
    assert not PhonePin.objects.exists()


def test_the_pin_page_needs_a_login(client, db):
    response = client.get("/accounts/pin/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_new_pin_gives_new_tries(call_webhook, host, pending, set_pin):
    set_pin()
    PhonePin.objects.filter(user=host).update(wrong_tries=5)
    set_pin("8642")

    root = enter_pin(call_webhook, host, "8642")

    assert "Gus asks to stay" in said(root, "./Gather/Say")[0]
