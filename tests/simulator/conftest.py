import importlib

import pytest
from django.apps import apps

from ivr.models import Menu
from tests.browser.conftest import browser, page  # noqa: F401 (Playwright, for test_in_browser)


@pytest.fixture
def et_phone_home(transactional_db):
    """The ET Phone Home tree, as its data migration creates it.

    A transactional test's flush removes what migrations created, and serialized_rollback
    cannot bring it back under Playwright: its greenlets see other connection objects than the
    ones pytest-django set up.
    """
    if not Menu.objects.filter(entry_slug="welcome").exists():
        migration = importlib.import_module("ivr.migrations.0002_et_phone_home")
        migration.create_tree(apps, None)
