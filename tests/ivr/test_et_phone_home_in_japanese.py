"""ET Phone Home in Japanese at /ivr/ja-welcome, and /ivr/welcome sending Japanese callers there."""

import pytest

from ivr.models import Menu
from tests.conftest import twiml_root
from tests.ivr.conftest import latest, migrate
from tests.ivr.test_et_phone_home import GOLDEN_RETURNING, GOLDEN_WELCOME, PRESSES, pressing

WELCOME, MENU, PLANETS = "/ivr/ja-welcome", "/ivr/ja-menu", "/ivr/ja-planets"
MIZUKI = {"voice": "Polly.Mizuki", "language": "ja-JP"}
GATHER_ONE_KEY = {"numDigits": "1", "method": "POST"}
PLANET_NUMBERS = {"2": "+19295566487", "3": "+17262043675", "4": "+16513582243"}
JAPANESE_NUMBER = "+819012345678"
AMERICAN_NUMBER = "+12025550188"


def says(root):
    return root.findall(".//Say")


def assert_all_in_japanese(root):
    assert says(root), "nothing is said"
    for say in says(root):
        assert {k: say.attrib[k] for k in MIZUKI} == MIZUKI


def assert_returns_to_the_japanese_menu(root):
    assert [child.tag for child in root] == ["Say", "Redirect"]
    assert [(say.text, say.attrib) for say in says(root)] == [
        ("メインメニューに戻ります。", MIZUKI)
    ]
    assert [r.text for r in root.findall("./Redirect")] == [WELCOME]


def test_the_japanese_greeting_is_read_three_times_by_mizuki(db, call_webhook):
    root = twiml_root(call_webhook(WELCOME))

    assert [child.tag for child in root] == ["Gather"]
    assert root.find("./Gather").attrib == {**GATHER_ONE_KEY, "action": MENU}
    [say] = says(root)
    assert say.attrib == {**MIZUKI, "loop": "3"}
    assert say.text.startswith("E.T.フォンホーム・サービスにお電話いただき、ありがとうございます。")
    assert "1を押してください" in say.text and "2を押してください" in say.text


def test_1_gives_the_directions_in_japanese_then_hangs_up(db, call_webhook):
    root = twiml_root(call_webhook(MENU, {"Digits": "1"}))

    assert [child.tag for child in root] == ["Say", "Say", "Hangup"]
    directions, thanks = (say.text for say in says(root))
    assert directions.startswith("脱出地点へは、自転車に乗って")
    assert thanks.startswith("E.T.フォンホーム・サービスをご利用いただき、ありがとうございました。")
    assert_all_in_japanese(root)


def test_2_reads_the_planet_directory_in_japanese(db, call_webhook):
    root = twiml_root(call_webhook(MENU, {"Digits": "2"}))

    assert root.find("./Gather").attrib == {**GATHER_ONE_KEY, "action": PLANETS}
    [say] = says(root)
    assert say.attrib == {**MIZUKI, "loop": "3"}
    assert "米印を押してください" in say.text


@pytest.mark.parametrize("key", PLANET_NUMBERS)
def test_each_planet_has_the_same_key_and_number_as_in_english(db, call_webhook, key):
    root = twiml_root(call_webhook(PLANETS, {"Digits": key}))

    assert [(child.tag, child.text) for child in root] == [("Dial", PLANET_NUMBERS[key])]


@pytest.mark.parametrize("path", [MENU, PLANETS])
@pytest.mark.parametrize("digits", PRESSES.values(), ids=PRESSES.keys())
def test_every_answer_of_the_japanese_tree_is_spoken_in_japanese(db, call_webhook, path, digits):
    root = twiml_root(call_webhook(path, pressing(digits)))

    if path == PLANETS and digits in PLANET_NUMBERS:
        assert [child.tag for child in root] == ["Dial"]
    elif path == MENU and digits in ("1", "2"):
        assert_all_in_japanese(root)
    else:
        assert_returns_to_the_japanese_menu(root)


@pytest.mark.parametrize("caller", [JAPANESE_NUMBER, "+81 3-1234-5678"])
def test_a_japanese_number_calling_the_welcome_is_redirected_to_japanese(db, call_webhook, caller):
    root = twiml_root(call_webhook("/ivr/welcome", {"From": caller}))

    assert [(child.tag, child.text, child.attrib) for child in root] == [("Redirect", WELCOME, {})]


def test_a_japanese_speaker_with_an_american_number_is_redirected(db, call_webhook, make_user):
    make_user(phone_number=AMERICAN_NUMBER, language="ja")

    root = twiml_root(call_webhook("/ivr/welcome", {"From": AMERICAN_NUMBER}))

    assert [(child.tag, child.text) for child in root] == [("Redirect", WELCOME)]


def test_an_unverified_claim_to_a_number_does_not_choose_japanese(db, call_webhook, make_user):
    make_user(phone_number=AMERICAN_NUMBER, language="ja", phone_verified=False)

    response = call_webhook("/ivr/welcome", {"From": AMERICAN_NUMBER})

    assert response.content.decode() == GOLDEN_WELCOME


@pytest.mark.parametrize("caller", [AMERICAN_NUMBER, "+447400123456", "", "anonymous", "+81"])
def test_every_other_caller_gets_the_english_bytes(db, call_webhook, make_user, caller):
    make_user(phone_number="+12025550177", language="en")

    response = call_webhook("/ivr/welcome", {"From": caller})

    assert response.content.decode() == GOLDEN_WELCOME


def test_an_english_speaker_hears_english_whatever_their_browser_says(db, twilio_post):
    response = twilio_post("/ivr/menu", {"Digits": "9"}, **{"Accept-Language": "ja"})

    assert response.content.decode() == GOLDEN_RETURNING


def test_a_japanese_caller_hears_japanese_whatever_their_browser_says(db, twilio_post):
    response = twilio_post(MENU, {"Digits": "9"}, **{"Accept-Language": "en"})

    assert_returns_to_the_japanese_menu(twiml_root(response))


def test_the_japanese_tree_is_shaped_as_the_english_one(db):
    def shape(entry_slug):
        welcome = Menu.objects.get(entry_slug=entry_slug)
        menus = [welcome, *Menu.objects.filter(main_menu=welcome)]
        return [
            (menu.loop, [(o.key, o.action, str(o.number)) for o in menu.options.all()])
            for menu in menus
        ]

    assert shape("ja-welcome") == shape("welcome")


def test_the_japanese_tree_migration_is_reversible(seeded):
    before = migrate([("ivr", "0002_et_phone_home")])

    assert set(before.get_model("ivr", "Menu").objects.values_list("choice_slug", flat=True)) == {
        "menu",
        "planets",
    }

    migrate(latest())

    assert set(Menu.objects.values_list("choice_slug", flat=True)) == {
        "menu",
        "planets",
        "ja-menu",
        "ja-planets",
    }
