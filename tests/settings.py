"""The tests run the development configuration, whatever the shell exports.

DEBUG defaults to off and production refuses the dev key, so the environment says
development here, before airtng.settings reads it. Tests that need production's
settings start a process of their own (tests/test_settings.py) or override them.
"""

import atexit
import os
import shutil
import tempfile

os.environ["DEBUG"] = "true"

from airtng.settings import *  # noqa: E402, F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's default in-memory database: the browser tests' live server then
    # gives each of its threads a connection of its own, as production does, instead of
    # sharing the test's one connection between threads that poll at the same time.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405

# Each test's tree is its own (its transaction is rolled back after it): every call asks.
IVR_TREE_CHECK_SECONDS = 0
# And every call asks whether a verified number changed, for the same reason.
PHONE_BOOK_CHECK_SECONDS = 0

# Uploads go to a directory of the run's own, never into the repository; photo tests use a
# fresh one each (tests/properties/test_photos.py).
MEDIA_ROOT = tempfile.mkdtemp(prefix="airtng-test-media-")
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)

# Each call step is written as its request finishes, so a test sees it at once.
CALL_LOG_BATCH = 1
