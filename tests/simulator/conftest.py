import importlib

import pytest
from django.apps import apps

from ivr.models import Menu
from tests.browser.conftest import browser, page  # noqa: F401 (Playwright, for test_in_browser)


@pytest.fixture
def et_phone_home(transactional_db):
    """The ET Phone Home trees, English and Japanese, as their data migrations create them.

    A transactional test's flush removes what migrations created, and serialized_rollback
    cannot bring it back under Playwright: its greenlets see other connection objects than the
    ones pytest-django set up.
    """
    trees = {"welcome": "0002_et_phone_home", "ja-welcome": "0003_et_phone_home_in_japanese"}
    for entry_slug, migration in trees.items():
        if not Menu.objects.filter(entry_slug=entry_slug).exists():
            importlib.import_module(f"ivr.migrations.{migration}").create_tree(apps, None)
