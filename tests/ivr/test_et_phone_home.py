"""ET Phone Home answers exactly as ../shared/PRODUCT.md words it, by GET and by POST."""

import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import twiml_root

SERVER = "http://testserver"
WELCOME, MENU, PLANETS = "/ivr/welcome", "/ivr/menu", "/ivr/planets"
AMY = {"voice": "Polly.Amy", "language": "en-GB"}
GATHER_ONE_KEY = {"numDigits": "1", "method": "POST"}

GREETING = (
    "Thanks for calling the E T Phone Home Service. "
    "Please press 1 for directions. Press 2 for a list of planets to call."
)
DIRECTIONS = (
    "To get to your extraction point, get on your bike and go down the street. "
    "Then Left down an alley. Avoid the police cars. "
    "Turn left into an unfinished housing development. Fly over the roadblock. "
    "Go passed the moon. Soon after you will see your mother ship."
)
THANK_YOU = (
    "Thank you for calling the ET Phone Home Service - "
    "the adventurous alien's first choice in intergalactic travel."
)
PLANET_DIRECTORY = (
    "To call the planet Broh doe As O G, press 2. To call the planet DuhGo bah, press 3. "
    "To call an oober asteroid to your location, press 4. "
    "To go back to the main menu, press the star key."
)
PLANET_NUMBERS = {"2": "+19295566487", "3": "+17262043675", "4": "+16513582243"}

KEYS = list("0123456789*#")
GARBAGE = {"12": "12", "abc": "abc", "emoji": "🙂", "1000 ones": "1" * 1000, "empty": ""}
# What the caller presses, as the test id and the request's parameters (None: no Digits).
PRESSES = {
    **{f"key {key}": key for key in KEYS},
    "no Digits": None,
    **{f"garbage {name}": digits for name, digits in GARBAGE.items()},
}


def pressing(digits):
    return {} if digits is None else {"Digits": digits}


# twilio-python's VoiceResponse for the contract's verbs, written out: attributes in
# alphabetical order, empty verbs as `<Hangup />`.
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
GOLDEN_WELCOME = (
    XML_DECLARATION + "<Response>"
    '<Gather action="/ivr/menu" method="POST" numDigits="1">'
    '<Say loop="3">Thanks for calling the E T Phone Home Service. '
    "Please press 1 for directions. Press 2 for a list of planets to call.</Say>"
    "</Gather>"
    "</Response>"
)
GOLDEN_DIRECTIONS = (
    XML_DECLARATION + "<Response>"
    '<Say language="en-GB" voice="Polly.Amy">To get to your extraction point, get on your '
    "bike and go down the street. Then Left down an alley. Avoid the police cars. Turn left "
    "into an unfinished housing development. Fly over the roadblock. Go passed the moon. "
    "Soon after you will see your mother ship.</Say>"
    '<Say language="en-GB" voice="Polly.Amy">Thank you for calling the ET Phone Home Service '
    "- the adventurous alien's first choice in intergalactic travel.</Say>"
    "<Hangup />"
    "</Response>"
)
GOLDEN_PLANET_DIRECTORY = (
    XML_DECLARATION + "<Response>"
    '<Gather action="/ivr/planets" method="POST" numDigits="1">'
    '<Say language="en-GB" loop="3" voice="Polly.Amy">To call the planet Broh doe As O G, '
    "press 2. To call the planet DuhGo bah, press 3. To call an oober asteroid to your "
    "location, press 4. To go back to the main menu, press the star key.</Say>"
    "</Gather>"
    "</Response>"
)
GOLDEN_DIAL = {
    "2": XML_DECLARATION + "<Response><Dial>+19295566487</Dial></Response>",
    "3": XML_DECLARATION + "<Response><Dial>+17262043675</Dial></Response>",
    "4": XML_DECLARATION + "<Response><Dial>+16513582243</Dial></Response>",
}
GOLDEN_RETURNING = (
    XML_DECLARATION + "<Response>"
    '<Say language="en-GB" voice="Polly.Amy">Returning to the main menu</Say>'
    "<Redirect>/ivr/welcome</Redirect>"
    "</Response>"
)


def exact_answer(response):
    """The TwiML document as sent, byte for byte, once its status and type are right."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return response.content.decode("utf-8")


def assert_greets(root):
    assert [child.tag for child in root] == ["Gather"]
    assert root.find("./Gather").attrib == {**GATHER_ONE_KEY, "action": MENU}
    [say] = root.findall("./Gather/Say")
    assert say.text == GREETING
    assert say.attrib == {"loop": "3"}, "the greeting has no voice and no language"


def assert_gives_directions(root):
    assert [child.tag for child in root] == ["Say", "Say", "Hangup"]
    assert [say.text for say in root.findall("./Say")] == [DIRECTIONS, THANK_YOU]
    assert [say.attrib for say in root.findall("./Say")] == [AMY, AMY]
    assert root.find("./Hangup").attrib == {}


def assert_reads_planet_directory(root):
    assert [child.tag for child in root] == ["Gather"]
    assert root.find("./Gather").attrib == {**GATHER_ONE_KEY, "action": PLANETS}
    [say] = root.findall("./Gather/Say")
    assert say.text == PLANET_DIRECTORY
    assert say.attrib == {**AMY, "loop": "3"}


def assert_dials(root, number):
    assert [child.tag for child in root] == ["Dial"]
    assert [(dial.text, dial.attrib) for dial in root.findall("./Dial")] == [(number, {})]


def assert_returns_to_main_menu(root):
    assert [child.tag for child in root] == ["Say", "Redirect"]
    assert [(say.text, say.attrib) for say in root.findall("./Say")] == [
        ("Returning to the main menu", AMY)
    ]
    assert [(r.text, r.attrib) for r in root.findall("./Redirect")] == [(WELCOME, {})]


@pytest.mark.parametrize("digits", [None, "1", "2", "*"], ids=["no Digits", "1", "2", "*"])
def test_welcome_reads_the_greeting_three_times_in_a_gather(db, call_webhook, digits):
    root = twiml_root(call_webhook(WELCOME, pressing(digits)))

    assert_greets(root)


@pytest.mark.parametrize("digits", PRESSES.values(), ids=PRESSES.keys())
def test_a_key_at_the_welcome_menu(db, call_webhook, digits):
    root = twiml_root(call_webhook(MENU, pressing(digits)))

    if digits == "1":
        assert_gives_directions(root)
    elif digits == "2":
        assert_reads_planet_directory(root)
    else:
        assert_returns_to_main_menu(root)


@pytest.mark.parametrize("digits", PRESSES.values(), ids=PRESSES.keys())
def test_a_key_at_the_planet_directory(db, call_webhook, digits):
    root = twiml_root(call_webhook(PLANETS, pressing(digits)))

    if digits in PLANET_NUMBERS:
        assert_dials(root, PLANET_NUMBERS[digits])
    else:
        assert_returns_to_main_menu(root)


def test_welcome_is_byte_for_byte_the_contract(db, call_webhook):
    assert exact_answer(call_webhook(WELCOME)) == GOLDEN_WELCOME


def test_directions_are_byte_for_byte_the_contract(db, call_webhook):
    assert exact_answer(call_webhook(MENU, {"Digits": "1"})) == GOLDEN_DIRECTIONS


def test_planet_directory_is_byte_for_byte_the_contract(db, call_webhook):
    assert exact_answer(call_webhook(MENU, {"Digits": "2"})) == GOLDEN_PLANET_DIRECTORY


@pytest.mark.parametrize("key", PLANET_NUMBERS)
def test_each_planet_is_dialled_byte_for_byte_as_the_contract(db, call_webhook, key):
    assert exact_answer(call_webhook(PLANETS, {"Digits": key})) == GOLDEN_DIAL[key]


@pytest.mark.parametrize(
    ("path", "digits"),
    [(MENU, "9"), (MENU, "*"), (MENU, None), (PLANETS, "1"), (PLANETS, "*"), (PLANETS, None)],
)
def test_returning_to_the_main_menu_is_byte_for_byte_the_contract(db, call_webhook, path, digits):
    assert exact_answer(call_webhook(path, pressing(digits))) == GOLDEN_RETURNING


@pytest.mark.parametrize("path", [WELCOME, MENU, PLANETS])
def test_an_unsigned_request_is_refused(db, client, path):
    assert client.get(path, {"Digits": "2"}).status_code == 403
    assert client.post(path, {"Digits": "2"}).status_code == 403


def test_a_get_whose_digits_were_changed_after_signing_is_refused(db, client, settings):
    validator = RequestValidator(settings.TWILIO_AUTH_TOKEN)
    signed_for_2 = {
        "X-Twilio-Signature": validator.compute_signature(f"{SERVER}{PLANETS}?Digits=2", {})
    }

    assert client.get(PLANETS, {"Digits": "2"}, headers=signed_for_2).status_code == 200
    assert client.get(PLANETS, {"Digits": "3"}, headers=signed_for_2).status_code == 403
