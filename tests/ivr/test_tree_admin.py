"""Staff edit the phone tree's draft in the admin; an invalid tree is refused there, not on a call.

What a draft's publishing does is in test_tree_revisions.py.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ivr.models import Menu, Option, Revision
from tests.conftest import twiml_root

ADD_URL = "/admin/ivr/menu/add/"
START_DRAFT_URL = "/admin/ivr/revision/start-draft/"


@pytest.fixture
def staff_client(make_user, client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def draft(staff_client):
    """The draft staff start from the live revision with the revisions page's button."""
    assert staff_client.post(START_DRAFT_URL).status_code == 302
    return Revision.objects.get(status=Revision.Status.DRAFT)


@pytest.fixture
def welcome(draft):
    return draft.menus.get(entry_slug="welcome")


@pytest.fixture
def planets(draft):
    return draft.menus.get(choice_slug="planets")


def change_url(menu):
    return f"/admin/ivr/menu/{menu.pk}/change/"


def publish(client, revision):
    """Publish, as the button on the revision's page does; the page it comes back to."""
    return client.post(f"/admin/ivr/revision/{revision.pk}/publish/", follow=True)


def form_data(response):
    """What the admin page would post back untouched: the menu, its options, the formsets."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    for form in forms:
        for field in form:
            value = field.value()
            data[field.html_name] = "" if value is None else str(value)
    return data


def tree():
    """Every menu and option as stored, to compare before and after a refused edit."""
    return (
        list(Menu.objects.order_by("pk").values()),
        list(Option.objects.order_by("pk").values()),
    )


def errors_on_page(response):
    """The admin's error list: the form's, each inline form's and each formset's own."""
    assert response.status_code == 200, "the change was saved instead of refused"
    messages = []
    for error in response.context["errors"]:
        messages += [error] if isinstance(error, str) else list(error)
    return messages


def option_row(data, key):
    """The form prefix of the option for `key` on the change page, e.g. options-1."""
    [row] = [
        name.removesuffix("-key")
        for name, value in data.items()
        if name.endswith("-key") and value == key
    ]
    return row


def extra_row(data):
    """The blank option form the change page offers for a new key."""
    [row] = [
        name.removesuffix("-key")
        for name in data
        if name.endswith("-key") and data.get(name.removesuffix("-key") + "-id", "") == ""
    ]
    return row


def test_an_edited_welcome_prompt_is_said_once_published(staff_client, draft, welcome, twilio_get):
    data = form_data(staff_client.get(change_url(welcome)))
    data["prompt"] = "Welcome back, E T. Press 1 for directions, or 2 for the planets."

    response = staff_client.post(change_url(welcome), data)

    assert response.status_code == 302
    assert publish(staff_client, draft).status_code == 200
    [say] = twiml_root(twilio_get("/ivr/welcome")).findall("./Gather/Say")
    assert say.text == "Welcome back, E T. Press 1 for directions, or 2 for the planets."
    assert len(twiml_root(twilio_get("/ivr/menu", {"Digits": "1"})).findall("./Say")) == 2


def test_an_edited_planet_number_is_dialled_once_published(
    staff_client, draft, planets, twilio_get
):
    data = form_data(staff_client.get(change_url(planets)))
    data[f"{option_row(data, '2')}-number"] = "+14155550100"

    assert staff_client.post(change_url(planets), data).status_code == 302
    assert publish(staff_client, draft).status_code == 200

    dials = twiml_root(twilio_get("/ivr/planets", {"Digits": "2"})).findall("./Dial")
    assert [dial.text for dial in dials] == ["+14155550100"]


# Each invalid edit: the menu (fixture) it is made to, a change to the page's data, the error.
def duplicate_key(data):
    row = extra_row(data)
    data.update({f"{row}-key": "1", f"{row}-action": "say", f"{row}-text": "Hello again."})


def dial_number(number):
    def change(data):
        data[f"{option_row(data, '2')}-number"] = number

    return change


def go_to_no_menu(data):
    data[f"{option_row(data, '2')}-target_menu"] = ""


def go_to_a_missing_menu(data):
    data[f"{option_row(data, '2')}-target_menu"] = "999999"


def entry_slug(slug):
    def change(data):
        data["entry_slug"] = slug

    return change


def choice_slug(slug):
    def change(data):
        data["choice_slug"] = slug

    return change


def read_times(loop):
    def change(data):
        data["loop"] = loop

    return change


def no_longer_a_start(data):
    # Welcome as its own main menu passes "choose the main menu"; but planets returns to it.
    data["main_menu"] = str(Menu.objects.get(entry_slug="welcome", revision__status="draft").pk)
    data["entry_slug"] = ""


INVALID_EDITS = {
    "duplicate key in one menu": (
        "welcome",
        duplicate_key,
        "Each key can have only one action in a menu.",
    ),
    "dial number 12345": ("planets", dial_number("12345"), "Enter a valid phone number"),
    "dial number abc": ("planets", dial_number("abc"), "Enter a valid phone number"),
    "dial no number": ("planets", dial_number(""), "Enter the number to dial, in E.164"),
    "go to another menu, none chosen": (
        "welcome",
        go_to_no_menu,
        "Choose the menu to go to.",
    ),
    "go to a menu that does not exist": (
        "welcome",
        go_to_a_missing_menu,
        "Select a valid choice. That choice is not one of the available choices.",
    ),
    "played at another menu's keys address": (
        "planets",
        entry_slug("menu"),
        "Each /ivr/ address can belong to one menu only.",
    ),
    "keys posted to another menu's entry": (
        "planets",
        choice_slug("welcome"),
        "Each /ivr/ address can belong to one menu only.",
    ),
    "keys posted to another menu's keys address": (
        "planets",
        choice_slug("menu"),
        "Each /ivr/ address can belong to one menu only.",
    ),
    "played at and keys posted to the same address": (
        "welcome",
        choice_slug("welcome"),
        "Each /ivr/ address can belong to one menu only.",
    ),
    "prompt read 0 times": (
        "welcome",
        read_times("0"),
        "Ensure this value is greater than or equal to 1.",
    ),
    "prompt read 11 times": (
        "welcome",
        read_times("11"),
        "Ensure this value is less than or equal to 10.",
    ),
    "main menu no longer a call's start, others returning to it": (
        "welcome",
        no_longer_a_start,
        "Other menus return to this one as their main menu",
    ),
}


@pytest.mark.parametrize(
    ("menu", "change", "error"), INVALID_EDITS.values(), ids=INVALID_EDITS.keys()
)
def test_an_invalid_tree_is_refused_with_a_clear_error(request, staff_client, menu, change, error):
    menu = request.getfixturevalue(menu)
    data = form_data(staff_client.get(change_url(menu)))
    change(data)
    before = tree()

    response = staff_client.post(change_url(menu), data)

    messages = errors_on_page(response)
    assert any(message.startswith(error) for message in messages), messages
    assert tree() == before


def test_a_menu_returning_to_itself_must_stay_a_calls_start(staff_client, draft):
    moon = Menu.objects.create(
        revision=draft, name="Moon base", entry_slug="moon", choice_slug="moon-keys", prompt="P5."
    )
    data = form_data(staff_client.get(change_url(moon)))
    data.update({"entry_slug": "", "main_menu": str(moon.pk)})
    before = tree()

    response = staff_client.post(change_url(moon), data)

    assert errors_on_page(response) == ["The main menu must be one a call can start at."]
    assert tree() == before


def test_a_new_menu_clashing_with_an_address_is_refused(staff_client, welcome):
    data = form_data(staff_client.get(ADD_URL))
    data.update(
        {
            "name": "Lost",
            "entry_slug": "lost",
            "choice_slug": "welcome",
            "prompt": "Press 1.",
            "loop": "1",
        }
    )
    before = tree()

    response = staff_client.post(ADD_URL, data)

    assert "Each /ivr/ address can belong to one menu only." in errors_on_page(response)
    assert tree() == before


def test_a_new_menu_with_its_own_addresses_is_played(staff_client, draft, twilio_get):
    data = form_data(staff_client.get(ADD_URL))
    data.update(
        {
            "name": "Moon base",
            "entry_slug": "moon",
            "choice_slug": "moon-keys",
            "prompt": "Press 5 for the moon.",
            "loop": "2",
        }
    )
    row = extra_row(data)
    data.update({f"{row}-key": "5", f"{row}-action": "dial", f"{row}-number": "+14155550100"})

    assert staff_client.post(ADD_URL, data).status_code == 302
    # Played at its own address, a new menu is one a call starts at: reachable.
    assert publish(staff_client, draft).status_code == 200

    gather = twiml_root(twilio_get("/ivr/moon")).find("./Gather")
    assert gather.attrib == {"numDigits": "1", "action": "/ivr/moon-keys", "method": "POST"}
    assert gather.find("./Say").attrib == {"loop": "2"}
    dials = twiml_root(twilio_get("/ivr/moon-keys", {"Digits": "5"})).findall("./Dial")
    assert [dial.text for dial in dials] == ["+14155550100"]
    returning = twiml_root(twilio_get("/ivr/moon-keys", {"Digits": "6"})).findall("./Redirect")
    assert [redirect.text for redirect in returning] == ["/ivr/moon"]


def grow_the_tree(welcome, planets, menus=50, options=10):
    """`menus` more menus of `options` keys each, reachable from ET's unused keys."""
    big = Menu.objects.bulk_create(
        Menu(
            revision=welcome.revision,
            name=f"Galaxy {n}",
            choice_slug=f"galaxy-{n}",
            prompt=f"Galaxy {n}: press any key.",
            voice="Polly.Amy",
            language="en-GB",
            main_menu=welcome,
        )
        for n in range(menus)
    )
    actions = [Option.Action.MENU, Option.Action.DIAL, Option.Action.SAY_AND_HANG_UP]
    Option.objects.bulk_create(
        Option(
            menu=menu,
            key="0123456789"[k],
            action=actions[k % 3],
            target_menu=big[(n + 1) % menus],
            number="+14155550100",
            text="Out there.",
        )
        for n, menu in enumerate(big)
        for k in range(options)
    )
    # ET's own menus get every key they leave free, each to another galaxy.
    for menu, taken in ((welcome, "12"), (planets, "234*")):
        Option.objects.bulk_create(
            Option(menu=menu, key=key, action=Option.Action.MENU, target_menu=big[i])
            for i, key in enumerate(k for k in "0123456789#" if k not in taken)
        )


CALLS = [("/ivr/welcome", {}), ("/ivr/menu", {"Digits": "2"}), ("/ivr/planets", {"Digits": "3"})]


def queries_and_answers(twilio_get):
    counts, answers = [], []
    for path, params in CALLS:
        with CaptureQueriesContext(connection) as queries:
            answers.append(twilio_get(path, params).content)
        counts.append(len(queries))
    return counts, answers


def test_a_call_costs_the_same_few_queries_however_large_the_tree(db, twilio_get):
    welcome = Menu.objects.get(entry_slug="welcome", revision__status="live")
    planets = Menu.objects.get(choice_slug="planets", revision__status="live")
    small_counts, small_answers = queries_and_answers(twilio_get)
    menus, options = Menu.objects.count(), Option.objects.count()
    grow_the_tree(welcome, planets)

    big_counts, big_answers = queries_and_answers(twilio_get)

    assert Menu.objects.count() == menus + 50
    assert Option.objects.count() == options + 50 * 10 + 9 + 8
    assert big_counts == small_counts
    # The first call after an edit compiles the tree (its stamp, the menus, their options);
    # the others read the stamp only (tests/ivr/test_tree_cache.py).
    assert big_counts == [3, 1, 1]
    assert big_answers == small_answers


def test_the_finish_key_help_reads_whole_in_the_admin(staff_client, welcome):
    # The admin writes help texts as HTML: a bare <Gather> would be an unknown tag, not text.
    page = staff_client.get(change_url(welcome)).text

    assert "<Gather>" not in page
    assert "The key that ends a caller’s input (Twilio’s finishOnKey): it is never offered" in page
