"""`makemessages` with the project's options, so that every run writes the same catalogue.

CI runs it and fails if the catalogue changes (`make messages-check`): only a change of the
code's strings may change the file, never a moved line or the day it ran.
"""

import re
from pathlib import Path

from django.core.management.commands import makemessages

# Not ours, or not shipped: the virtualenv, tests, benchmarks and what collectstatic or
# uploads write.
IGNORED = [".venv", "tests", "bench", "staticfiles", "media", "artifacts", "node_modules"]
POT_CREATION_DATE = re.compile(r'^"POT-Creation-Date: .*\\n"\n', re.MULTILINE)


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options["ignore_patterns"], *IGNORED]
        # File names tell a translator where a string is; line numbers would change with
        # every edit above it.
        options["add_location"] = options["add_location"] or "file"
        options["no_obsolete"] = True
        return super().handle(*args, **options)

    def write_po_file(self, potfile, locale):
        super().write_po_file(potfile, locale)
        po = Path(potfile).parent / locale / "LC_MESSAGES" / f"{self.domain}.po"
        po.write_text(POT_CREATION_DATE.sub("", po.read_text(encoding="utf-8")), encoding="utf-8")
