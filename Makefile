# The front door: `make run` (the product, seeded) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python >= 3.12 on PATH (Django 6 needs it). Override with `make PYTHON=/path/to/python3.12`.
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; \
	then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PYTEST_ARGS ?=
export DJANGO_SETTINGS_MODULE ?= portal.settings.dev

.PHONY: help install compilemessages messages services system-libs browser run test test-fast test-faults test-fuzz lint format bench lock clean

help:
	@echo "make run   - install, migrate, seed the demo, start web + worker + beat"
	@echo "make test  - install and run the whole test suite"
	@echo "make test-fuzz - schemathesis, 1,000 examples per API operation and auth, stateful links"
	@echo "make lint  - ruff check, format check and mypy"
	@echo "make bench - ingest, scoring, portfolio, KPI, load and tenant-scale benchmarks (own databases)"

$(BIN)/.installed: requirements.lock pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "ERROR: Keel needs Python >= 3.12 and none was found (tried python3.13, python3.12, python3)." >&2; \
		echo "       Install one (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12 ...'." >&2; \
		exit 1; fi
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON) ($$($(PYTHON) --version))"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --requirement requirements.lock
	@touch $@

# Compiled catalogues (.mo) are built, not committed: from locale/*/LC_MESSAGES/django.po.
install: $(BIN)/.installed compilemessages

compilemessages: $(BIN)/.installed
	$(call need_debian,gettext)
	@$(PY) manage.py compilemessages --ignore=.venv --verbosity 0

# Re-extract the translatable strings into both catalogues (then translate the new entries).
messages: install
	$(PY) manage.py makemessages -l zh_Hans -l en --no-location --ignore=.venv --ignore=tests --ignore=bench --ignore=var

services: install
	@$(PY) manage.py services_check --create-db

# Debian packages: pango and the fonts for WeasyPrint (QBR PDFs: DejaVu Sans, Noto CJK for Chinese
# text), poppler-utils for the tests that rasterise them (pdftoppm, pdffonts), Chromium for the end-to-end tests
# (Playwright cannot download its own browser here). Installed as root when missing.
define need_debian
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian packages:$$missing ..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
		else \
			echo "ERROR: missing Debian packages:$$missing; install them: sudo apt-get install$$missing" >&2; exit 1; \
		fi; \
	fi
endef

system-libs:
	$(call need_debian,libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-noto-cjk poppler-utils)

browser: system-libs
	$(call need_debian,chromium)

run: services system-libs
	$(PY) manage.py migrate_schemas --verbosity 0
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_kb_demo
	@echo ""
	@echo "Starting web (http://localhost:$${KEEL_PORT:-8000}/), Celery worker and beat. Ctrl-C stops all three."
	$(BIN)/honcho start --procfile Procfile

test: export DJANGO_SETTINGS_MODULE = portal.settings.test
test: services browser
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: export DJANGO_SETTINGS_MODULE = portal.settings.test
test-fast: install
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)  # skips the browser and subprocess tests

# Kill workers, Redis and database sessions mid-flight; prints enqueued / delivered / duplicates.
test-faults: export DJANGO_SETTINGS_MODULE = portal.settings.test
test-faults: services
	$(BIN)/pytest -m faults -s $(PYTEST_ARGS)

# The long schemathesis run: the normal suite's checks with KEEL_FUZZ_EXAMPLES examples per
# operation, as a session and as an API key, plus linked sequences. Last line:
# server_errors=<n> schema_violations=<n> (summed over every run).
KEEL_FUZZ_EXAMPLES ?= 1000
test-fuzz: export DJANGO_SETTINGS_MODULE = portal.settings.test
test-fuzz: install
	@mkdir -p var && rm -f var/fuzz-report.txt
	@KEEL_FUZZ_EXAMPLES=$(KEEL_FUZZ_EXAMPLES) KEEL_FUZZ_REPORT=var/fuzz-report.txt \
		$(BIN)/pytest -s tests/security/test_api_fuzz.py $(PYTEST_ARGS); status=$$?; \
	echo "== per run"; cat var/fuzz-report.txt 2>/dev/null; \
	awk '{for (i = 1; i <= NF; i++) {split($$i, kv, "="); if (kv[1] == "server_errors") s += kv[2]; \
		if (kv[1] == "schema_violations") v += kv[2]}} END {printf "server_errors=%d schema_violations=%d\n", s, v}' \
		var/fuzz-report.txt 2>/dev/null || echo "server_errors=? schema_violations=?"; \
	exit $$status

lint: install
	$(PY) manage.py messages_check  # no untranslated or fuzzy entry in any catalogue
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy  # files and settings in pyproject.toml ([tool.mypy]); needs no database

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Each benchmark creates and drops its own database (keel_bench_<name>).
bench: export DJANGO_SETTINGS_MODULE = portal.settings.test
bench: install
	$(call need_debian,wrk)
	@# Every benchmark runs even when one misses a goal; make fails at the end if any did.
	@failed=""; \
	for b in "ingest.py" "scoring.py --tenants 200 --days 90" "portfolio.py" "kpis.py" "cockpit.py" "load.py" "tenants.py --tenants 1000"; do \
		echo "== bench/$$b"; $(PY) bench/$$b || failed="$$failed $$b;"; \
	done; \
	if [ -n "$$failed" ]; then echo "Goals missed in:$$failed" >&2; exit 1; fi

# Regenerate the pinned lock from pyproject.toml in a throwaway venv.
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet --upgrade pip
	.lockenv/bin/pip install --quiet '.[dev]'
	.lockenv/bin/pip freeze --exclude-editable | grep -v '^keel[= ]' > requirements.lock
	rm -rf .lockenv build *.egg-info

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
