# `make run` serves the demo site; `make test` runs every test. Both set up what they need.
SHELL := /bin/bash
UV := python3 -m uv
PYTHON := .venv/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test deps chromium

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
