"""Staff edit a draft of the phone tree; Publish makes it live, Revert goes back; callers never
hear a draft, and a call finishes on the revision it started on."""

from datetime import UTC, datetime, timedelta
from html import unescape
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client

from ivr.models import Menu, Option, Revision
from tests.conftest import grant, twilio_signature, twiml_root
from tests.ivr.test_et_phone_home import GOLDEN_DIRECTIONS, GOLDEN_WELCOME
from tests.ivr.test_tree_admin import START_DRAFT_URL, change_url, form_data, option_row
from tests.wsgi import wsgi_form

REVISIONS_URL = "/admin/ivr/revision/"
MENUS_URL = "/admin/ivr/menu/"


def revision_url(revision, action="change"):
    return f"{REVISIONS_URL}{revision.pk}/{action}/"


@pytest.fixture
def staff(make_user):
    client = Client()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def draft(staff):
    assert staff.post(START_DRAFT_URL).status_code == 302
    return Revision.objects.get(status=Revision.Status.DRAFT)


def live():
    return Revision.objects.get(status=Revision.Status.LIVE)


def menu_of(revision, choice_slug):
    return revision.menus.get(choice_slug=choice_slug)


class Twilio:
    """Twilio on one call: signed POSTs with its CallSid, sending back the cookies it was set;
    through the test client, or to the WSGI application (which answers the tree's steps
    before Django, airtng/webhooks_first.py)."""

    def __init__(self, call_sid, *, wsgi=False):
        self.call_sid = call_sid
        self.cookies = {}
        self.wsgi = wsgi

    def post(self, path, **params):
        params = {"CallSid": self.call_sid, "From": "+12025550188", **params}
        signature = twilio_signature(f"http://testserver{path}", params)
        if self.wsgi:
            jar = SimpleCookie()
            jar.load(self.cookies)
            cookie = jar.output(attrs=[], header="", sep=";").strip()
            response = wsgi_form(path, params, signature=signature, headers={"Cookie": cookie})
            set_cookies = SimpleCookie()
            for name, value in response.headers:
                if name == "Set-Cookie":
                    set_cookies.load(value)
        else:
            client = Client()
            client.cookies.load(self.cookies)
            response = client.post(
                path,
                urlencode(params),
                content_type="application/x-www-form-urlencoded",
                headers={"X-Twilio-Signature": signature},
            )
            set_cookies = response.cookies
        self.cookies.update({name: morsel.value for name, morsel in set_cookies.items()})
        return response


@pytest.fixture(params=["test client", "WSGI app"])
def calls_through(request, settings):
    """A Twilio for a call, through the test client or to the WSGI application."""
    if request.param == "WSGI app":
        settings.PUBLIC_BASE_URL = "http://testserver"
    return lambda call_sid: Twilio(call_sid, wsgi=request.param == "WSGI app")


def edit_directions(staff, revision, text):
    """The draft's key 1 at the welcome menu says `text`, edited on the menu's admin page."""
    welcome = menu_of(revision, "menu")
    data = form_data(staff.get(change_url(welcome)))
    data[f"{option_row(data, '1')}-text"] = text
    assert staff.post(change_url(welcome), data).status_code == 302


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


def said(response):
    return [say.text for say in twiml_root(response).findall("./Say")]


def test_starting_a_draft_copies_the_live_revision(staff, draft):
    assert draft.number == 2
    assert draft.based_on == live()
    for copied, original in zip(
        draft.menus.order_by("choice_slug"), live().menus.order_by("choice_slug"), strict=True
    ):
        assert (copied.choice_slug, copied.prompt) == (original.choice_slug, original.prompt)
        assert copied.main_menu is None or copied.main_menu.revision == draft
    targets = Option.objects.filter(menu__revision=draft, action="menu")
    assert {option.target_menu.revision for option in targets} == {draft}
    # A second click opens the same draft.
    assert staff.post(START_DRAFT_URL).url == revision_url(draft)


def test_a_draft_edit_is_not_heard_by_callers(staff, draft):
    edit_directions(staff, draft, "Follow the lights.")

    call = Twilio("CA-new-1")
    assert call.post("/ivr/welcome").content.decode() == GOLDEN_WELCOME
    assert call.post("/ivr/menu", Digits="1").content.decode() == GOLDEN_DIRECTIONS


def test_publishing_the_draft_makes_it_live(staff, draft):
    edit_directions(staff, draft, "Follow the lights.")
    first = live()

    response = staff.post(revision_url(draft, "publish"), follow=True)

    assert page_messages(response)[-1] == "Revision 2 (Live) is live."
    draft.refresh_from_db()
    first.refresh_from_db()
    assert (draft.status, first.status) == ("live", "past")
    assert draft.published_by is not None and draft.live_since is not None
    assert said(Twilio("CA-after").post("/ivr/menu", Digits="1")) == ["Follow the lights."]


def break_the_draft(draft):
    """Every kind of problem at once, written past the admin's forms (as SQL or a shell could)."""
    Menu.objects.filter(pk=menu_of(draft, "menu").pk).update(
        voice="Robot.Nonexistent", language="klingon"
    )
    planets = menu_of(draft, "planets")
    Option.objects.filter(menu=planets, key="2").update(key="#")
    Option.objects.filter(menu=planets, key="3").update(
        action="menu", target_menu=menu_of(live(), "planets")
    )
    Menu.objects.create(revision=draft, name="Lost moon", choice_slug="lost", prompt="Hello?")


def test_publish_refuses_a_broken_draft_and_lists_every_problem(staff, draft):
    break_the_draft(draft)

    response = staff.post(revision_url(draft, "publish"), follow=True)

    assert page_messages(response) == [
        "Revision 2 (Draft) was not made live: 6 problems to fix first.",
        "Menu “ET Phone Home”, language: “klingon” is not a language Twilio’s <Say> speaks "
        "(e.g. en-GB, ja-JP).",
        "Menu “ET Phone Home”, voice: “Robot.Nonexistent” is not a voice Twilio’s <Say> knows "
        "(e.g. Polly.Amy).",
        "Menu “ET Phone Home: planets”, key #, key: # ends the caller’s input (<Gather>’s "
        "finishOnKey), so it is never pressed: choose another key, or another key to end "
        "the input.",
        "Menu “ET Phone Home: planets”, key 3, menu to go to: Choose a menu of the same revision.",
        "Menu “Lost moon”, main menu: Choose the main menu this one returns to.",
        "Menu “Lost moon” cannot be reached: no option of a menu a call reaches goes to it.",
    ]
    draft.refresh_from_db()
    assert draft.status == "draft" and live().number == 1
    assert Twilio("CA-x").post("/ivr/welcome").content.decode() == GOLDEN_WELCOME


def test_a_draft_with_no_menu_to_start_at_is_refused(staff, draft):
    draft.menus.update(entry_slug=None)

    response = staff.post(revision_url(draft, "publish"), follow=True)

    assert "No menu is played at an address: a call would have nowhere to start." in (
        page_messages(response)
    )
    assert live().number == 1


def test_revert_makes_an_earlier_revision_live_again(staff, draft):
    edit_directions(staff, draft, "Follow the lights.")
    staff.post(revision_url(draft, "publish"))
    first = Revision.objects.get(number=1)

    response = staff.post(revision_url(first, "revert"), follow=True)

    assert page_messages(response)[-1] == "Revision 1 (Live) is live again."
    assert live() == first
    assert Twilio("CA-later").post("/ivr/menu", Digits="1").content.decode() == GOLDEN_DIRECTIONS
    # And forward again, to the revision published before.
    staff.post(revision_url(draft, "revert"))
    assert said(Twilio("CA-latest").post("/ivr/menu", Digits="1")) == ["Follow the lights."]


def test_only_a_past_revision_can_be_reverted_to_and_only_a_draft_published(staff, draft):
    first = live()

    assert page_messages(staff.post(revision_url(draft, "revert"), follow=True)) == [
        "Revision 2 (Draft) was not made live: 1 problem to fix first.",
        "Only a revision that was live before can be made live again; "
        "Revision 2 (Draft) is not one.",
    ]
    assert page_messages(staff.post(revision_url(first, "publish"), follow=True))[1] == (
        "Only a draft can be published; Revision 1 (Live) is not one."
    )
    assert staff.get(revision_url(first, "publish")).status_code == 405


def test_a_call_started_on_a_revision_finishes_on_it(staff, draft, calls_through):
    call = calls_through("CA" + "1" * 32)
    assert call.post("/ivr/welcome").content.decode() == GOLDEN_WELCOME
    assert call.cookies == {"ivr_revision": "1.CA" + "1" * 32}

    edit_directions(staff, draft, "Follow the lights.")
    Menu.objects.filter(pk=menu_of(draft, "planets").pk).update(prompt="Planets, changed.")
    staff.post(revision_url(draft, "publish"))

    assert call.post("/ivr/menu", Digits="1").content.decode() == GOLDEN_DIRECTIONS
    planets = twiml_root(call.post("/ivr/menu", Digits="2")).find("./Gather/Say")
    assert planets.text.startswith("To call the planet Broh doe As O G")
    # The next call starts on the new revision, even with the last call's cookie.
    next_call = calls_through("CA" + "2" * 32)
    next_call.cookies = dict(call.cookies)
    next_call.post("/ivr/welcome")
    assert next_call.cookies == {"ivr_revision": "2.CA" + "2" * 32}
    assert said(next_call.post("/ivr/menu", Digits="1")) == ["Follow the lights."]


def test_an_earlier_revision_is_compiled_once_per_process(
    staff, draft, call_log_in_batches, django_assert_num_queries, calls_through
):
    call = calls_through("CA" + "3" * 32)
    call.post("/ivr/welcome")
    staff.post(revision_url(draft, "publish"))
    call.post("/ivr/menu", Digits="1")  # the new live tree, then revision 1 again

    with django_assert_num_queries(1):  # the live tree's stamp
        assert call.post("/ivr/menu", Digits="1").content.decode() == GOLDEN_DIRECTIONS


@pytest.mark.parametrize("cookie", ["2.CA9", "abc", "99.CA9", "1" * 40 + ".CA9"])
def test_a_cookie_naming_no_earlier_revision_is_answered_live(db, cookie):
    call = Twilio("CA9")
    call.cookies = {"ivr_revision": cookie}
    Revision.objects.create(number=2, status=Revision.Status.DRAFT)

    assert call.post("/ivr/welcome").content.decode() == GOLDEN_WELCOME
    assert call.cookies == {"ivr_revision": "1.CA9"}


@pytest.mark.parametrize("number", [77, 2])
def test_a_cookie_naming_no_revision_costs_no_query_again_within_the_check_interval(
    db, settings, call_log_in_batches, django_assert_num_queries, number
):
    settings.IVR_TREE_CHECK_SECONDS = 1
    Revision.objects.create(number=2, status=Revision.Status.DRAFT)
    call = Twilio("CA7")
    with time_machine.travel(datetime(2031, 5, 4, 12, tzinfo=UTC), tick=False) as clock:
        call.cookies = {"ivr_revision": f"{number}.CA7"}
        call.post("/ivr/menu", Digits="1")  # the stamp, and no such revision

        with django_assert_num_queries(0):
            assert call.post("/ivr/menu", Digits="1").content.decode() == GOLDEN_DIRECTIONS

        clock.shift(timedelta(seconds=1))
        with django_assert_num_queries(2):  # the stamp, and the revision looked for again
            call.post("/ivr/menu", Digits="1")


def test_a_call_is_pinned_at_its_entry_only(db):
    call = Twilio("CA8")

    assert call.post("/ivr/menu", Digits="1").content.decode() == GOLDEN_DIRECTIONS
    assert call.cookies == {}
    call.post("/ivr/welcome")
    assert call.cookies == {"ivr_revision": "1.CA8"}


def test_a_live_or_past_revisions_menus_are_read_only(staff, draft):
    staff.post(revision_url(draft, "publish"))
    for menu in (menu_of(Revision.objects.get(number=1), "menu"), menu_of(live(), "menu")):
        page = staff.get(change_url(menu))
        assert page.status_code == 200
        assert not page.context["has_change_permission"]
        assert 'name="_save"' not in page.content.decode()
        data = {"name": "Hacked", "prompt": "Hacked.", "choice_slug": "menu", "loop": "1"}
        assert staff.post(change_url(menu), data).status_code == 403
        assert staff.post(f"{MENUS_URL}{menu.pk}/delete/", {"post": "yes"}).status_code == 403
    assert not Menu.objects.filter(name="Hacked").exists()


def test_the_revision_page_previews_each_keys_twiml_and_links_the_simulator(staff, draft):
    edit_directions(staff, draft, "Follow the lights.")

    page = unescape(staff.get(revision_url(draft)).content.decode())

    assert '<Say language="en-GB" voice="Polly.Amy">Follow the lights.</Say><Hangup />' in page
    assert GOLDEN_WELCOME in page
    assert 'href="/phone/?dial=/ivr/welcome"' in page
    assert 'name="publish"' in page
    assert "Call it in the simulator" in page
    menu_page = unescape(staff.get(change_url(menu_of(draft, "menu"))).content.decode())
    assert "Follow the lights." in menu_page and "ivr/option_fields.js" in menu_page


def test_the_menu_form_refuses_unknown_voices_and_languages(staff, draft):
    welcome = menu_of(draft, "menu")
    data = form_data(staff.get(change_url(welcome)))
    data.update(voice="Robot.Nonexistent", language="klingon", reply_voice="Polly.Mizuki")

    response = staff.post(change_url(welcome), data)

    errors = response.context["adminform"].form.errors
    assert errors["voice"] == [
        "“Robot.Nonexistent” is not a voice Twilio’s <Say> knows (e.g. Polly.Amy)."
    ]
    assert errors["language"] == [
        "“klingon” is not a language Twilio’s <Say> speaks (e.g. en-GB, ja-JP)."
    ]
    assert errors["reply_voice"] == ["Polly.Mizuki does not speak en-GB; it speaks ja-JP."]


def test_hash_is_a_key_only_when_the_menu_ends_input_with_another(staff, draft):
    planets = menu_of(draft, "planets")
    data = form_data(staff.get(change_url(planets)))
    data[f"{option_row(data, '4')}-key"] = "#"

    refused = staff.post(change_url(planets), data)

    assert refused.status_code == 200
    assert "# ends the caller’s input" in refused.content.decode()
    data["finish_on_key"] = "*"
    data[f"{option_row(data, '*')}-key"] = "0"
    assert staff.post(change_url(planets), data).status_code == 302
    page = unescape(staff.get(revision_url(draft)).content.decode())
    assert 'finishOnKey="*"' in page


def test_a_new_menu_is_added_to_the_draft(staff, draft):
    data = form_data(staff.get(f"{MENUS_URL}add/"))
    data.update(name="Moon", entry_slug="moon", choice_slug="moon-keys", prompt="Hi.", loop="1")

    assert staff.post(f"{MENUS_URL}add/", data).status_code == 302

    assert Menu.objects.get(name="Moon").revision == draft


def test_without_a_draft_no_menu_can_be_added(staff):
    assert staff.get(f"{MENUS_URL}add/").status_code == 403
    page = staff.get(REVISIONS_URL).content.decode()
    assert 'name="start-draft"' in page


def test_a_staff_user_without_permissions_sees_no_revision_or_menu(make_user):
    client = Client()
    client.force_login(make_user(is_staff=True))

    assert client.get(REVISIONS_URL).status_code == 403
    assert client.get(MENUS_URL).status_code == 403
    assert client.post(START_DRAFT_URL).status_code == 403
    assert client.post(revision_url(live(), "revert")).status_code == 403
    assert "Phone tree revisions" not in client.get("/admin/").content.decode()


def test_publishing_needs_its_own_permission(make_user, staff, draft):
    editor = grant(
        make_user(is_staff=True), "ivr.view_revision", "ivr.change_menu", "ivr.view_menu"
    )
    client = Client()
    client.force_login(editor)

    assert 'name="publish"' not in client.get(revision_url(draft)).content.decode()
    assert client.post(revision_url(draft, "publish")).status_code == 403
    assert live().number == 1

    client.force_login(grant(editor, "ivr.publish_revision"))
    assert 'name="publish"' in client.get(revision_url(draft)).content.decode()
    assert client.post(revision_url(draft, "publish")).status_code == 302
    assert live() == draft
