# `make run` serves the demo site; `make test` runs every test. Both set up what they need.
UV := python3 -m uv
HOST ?= 127.0.0.1:8000

.PHONY: run test deps chromium

run: deps
	$(UV) run python manage.py migrate --no-input
	$(UV) run python manage.py seed_demo --if-empty
	$(UV) run python manage.py runserver $(HOST)

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
