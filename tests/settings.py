"""The tests run the development configuration, whatever the shell exports.

DEBUG defaults to off and production refuses the dev key, so the environment says
development here, before airtng.settings reads it. Tests that need production's
settings start a process of their own (tests/test_settings.py) or override them.
"""

import os

os.environ["DEBUG"] = "true"

from airtng.settings import *  # noqa: E402, F403
