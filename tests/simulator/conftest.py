import pytest

from ivr.models import Menu
from tests.browser.conftest import browser, page  # noqa: F401 (Playwright, for test_in_browser)
from tests.ivr.conftest import latest, migrate


@pytest.fixture
def et_phone_home(transactional_db):
    """The ET Phone Home trees, English and Japanese, as their data migrations create them.

    A transactional test's flush removes what migrations created, and serialized_rollback
    cannot bring it back under Playwright: its greenlets see other connection objects than the
    ones pytest-django set up.
    """
    if Menu.objects.filter(entry_slug__in=["welcome", "ja-welcome"]).count() != 2:
        # The seed migrations again, with the one that makes the tree revision 1.
        migrate([("ivr", "0001_phone_tree")])
        migrate(latest())
