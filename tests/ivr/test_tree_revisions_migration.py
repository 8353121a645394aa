"""The tree as it stood becomes revision 1, live; going back keeps the live one."""

from ivr.models import Menu, Revision
from ivr.tree import tree_stamp
from tests.ivr.conftest import latest, migrate
from tests.ivr.test_et_phone_home import GOLDEN_WELCOME

BEFORE = [("ivr", "0005_tree_version")]


def test_the_seeded_tree_is_revision_1_live(db, twilio_get):
    [first] = Revision.objects.all()

    assert (first.number, first.status) == (1, Revision.Status.LIVE)
    assert set(first.menus.values_list("choice_slug", flat=True)) == set(
        Menu.objects.values_list("choice_slug", flat=True)
    )
    assert twilio_get("/ivr/welcome").content.decode() == GOLDEN_WELCOME


def test_going_back_keeps_the_live_revision_as_the_tree(seeded):
    draft = Revision.objects.create(number=2, status=Revision.Status.DRAFT)
    Menu.objects.create(revision=draft, name="Moon", entry_slug="welcome", choice_slug="menu")

    old = migrate(BEFORE)

    slugs = old.get_model("ivr", "Menu").objects.values_list("choice_slug", flat=True)
    assert sorted(slugs) == ["ja-menu", "ja-planets", "menu", "planets"]
    before = tree_stamp()
    old.get_model("ivr", "Menu").objects.filter(choice_slug="menu").update(prompt="Hi.")
    assert tree_stamp() != before, "the edit triggers must survive going back"

    migrate(latest())

    [first] = Revision.objects.all()
    assert (first.number, first.status, first.menus.count()) == (1, "live", 4)
    before = tree_stamp()
    Revision.objects.update(live_since=None)
    assert tree_stamp() != before, "publishing must change the tree's stamp"
