# cxgov — `make run` serves the demo, `make test` runs the whole suite. Both set themselves up.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed

.PHONY: run test lint lint-imports install chromium serve scheduler bench clean messages

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

# axe-core (package.json, pinned in package-lock.json) for the accessibility browser tests.
AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(AXE)

# The compiled catalogues of cxgov/translations (cxgov.i18n), rebuilt when their .po changes.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard cxgov/translations/*/LC_MESSAGES/messages.po))

%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

install: $(STAMP) $(AXE) $(CATALOGUES)

# After changing text: extract every string a person reads and merge it into each catalogue
# (then translate what is new; tests/i18n/test_catalogues.py fails on anything left).
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 --sort-by-file \
	  --no-wrap -o cxgov/translations/messages.pot --project cxgov --copyright-holder cxgov .
	$(VENV)/bin/pybabel update -i cxgov/translations/messages.pot -d cxgov/translations --no-wrap --ignore-obsolete

# The browser tests drive Debian's Chromium: installed here when it is missing (apt, as root).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Chromium is missing: installing Debian's package for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# The port `make run` serves on: `make run PORT=8080`.
PORT ?= 5000

run: install
	@case "$(PORT)" in ''|*[!0-9]*) echo "PORT must be a number, like make run PORT=8080"; exit 2;; esac
	$(FLASK) db upgrade
	$(FLASK) cxgov seed-demo
	@echo
	@echo "cxgov is starting on http://127.0.0.1:$(PORT)  (another port: make run PORT=8080)"
	@echo "The reminder scheduler runs beside it; without MAIL_SERVER reminders stay in the Inbox."
	@echo
	@$(FLASK) cxgov scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

scheduler: install
	$(FLASK) cxgov scheduler

lint: install
	$(VENV)/bin/ruff check .

test: install chromium
	$(PY) -m pytest -q -n 2 --dist loadgroup $(PYTEST_ARGS)

# The import contracts of .importlinter: the core imports no feature, features only those below.
lint-imports: $(STAMP)
	$(VENV)/bin/lint-imports

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules instance/*.sqlite
