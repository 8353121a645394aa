# `make run` serves the demo site; `make test` runs every test. Both set up what they need.
SHELL := /bin/bash
UV := python3 -m uv
PYTHON := .venv/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test deps chromium messages messages-check gettext

# The processes of the Procfile, as in production: the web server and one SMS worker, together;
# Ctrl-C stops both. DEBUG is on: this is the embedded demo.
run: export DEBUG ?= true
run: deps
	$(PYTHON) manage.py migrate --no-input
	$(PYTHON) manage.py seed_demo --if-empty
	PATH="$(CURDIR)/.venv/bin:$$PATH" BIND=$(HOST) WEB_RELOAD=true .venv/bin/honcho start

test: deps chromium
	$(UV) run pytest

deps:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --quiet

# The browser tests drive Debian's chromium; Playwright's own browser download is not used.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		command -v apt-get >/dev/null 2>&1 || { echo "Install chromium to run the browser tests."; exit 1; }; \
		apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

# The translations (locale/<language>/LC_MESSAGES/django.po, and the .mo compiled from it, both
# committed so that running Airtng needs no gettext). `make messages` brings every catalogue up
# to date with the code's strings and compiles it: translate what it adds, then run it again.
messages: deps gettext
	DEBUG=true $(PYTHON) manage.py makemessages --all
	DEBUG=true $(PYTHON) manage.py compilemessages --ignore=.venv

# CI: fails when a catalogue is out of date with the code, or has a string untranslated or fuzzy.
messages-check: deps gettext
	DEBUG=true $(PYTHON) manage.py makemessages --all
	@if [ -n "$$(git status --porcelain -- locale/)" ]; then \
		git --no-pager diff -- locale/; git status --short -- locale/; \
		echo "The catalogue is out of date with the code: run make messages and translate."; exit 1; fi
	@for po in locale/*/LC_MESSAGES/django.po; do \
		stats=$$(msgfmt --check --statistics -o /dev/null "$$po" 2>&1) || { echo "$$stats"; exit 1; }; \
		echo "$$po: $$stats"; \
		if grep -qE "fuzzy|untranslated" <<<"$$stats"; then \
			echo "$$po has strings untranslated or fuzzy: translate them, then make messages."; exit 1; fi; \
	done

# makemessages and compilemessages need GNU gettext.
gettext:
	@command -v msgfmt >/dev/null 2>&1 || { \
		command -v apt-get >/dev/null 2>&1 || { echo "Install GNU gettext to update the translations."; exit 1; }; \
		apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }
