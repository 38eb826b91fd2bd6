# Two commands on a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
SCALE ?= 0.02
SEED ?= 42

.PHONY: run setup serve test test-fast lint format check messages bench clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Installs are stamped on the lock file, so they re-run only when it changes.
$(VENV)/.installed-runtime: requirements.lock | $(VENV)/bin/activate
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(VENV)/bin/activate
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@ $(VENV)/.installed-runtime

run: setup serve

setup: $(VENV)/.installed-runtime
	DEBUG=true $(PY) manage.py migrate --no-input
	DEBUG=true $(PY) manage.py setup_demo --scale $(SCALE) --seed $(SEED)

# The background worker (large imports) runs beside the web server and stops with it.
serve: $(VENV)/.installed-runtime
	@echo "Serving on http://127.0.0.1:$(PORT)/admin/ (background jobs: manage.py db_worker)"
	@DEBUG=true $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite. DATABASE_URL chooses the database (SQLite by default).
test: $(VENV)/.installed-dev
	$(PY) -m pytest

test-fast: $(VENV)/.installed-dev
	$(PY) -m pytest -m "not slow and not browser"

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: lint
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	DEBUG=true $(PY) manage.py check
	DEBUG=true $(PY) manage.py makemessages --locale id $(MESSAGE_SOURCES)
	@for po in locale/id/LC_MESSAGES/django.po locale_packages/id/LC_MESSAGES/django.po; do \
	  stats=$$(msgfmt --statistics -o /dev/null $$po 2>&1); echo "$$po: $$stats"; \
	  case "$$stats" in *untranslated*|*fuzzy*) \
	    echo "Translate the new strings in $$po, then run 'make messages'."; exit 1;; esac; \
	done

MESSAGE_SOURCES := --ignore=.venv --ignore=tests --ignore=bench --ignore=var --no-location --no-obsolete

messages: $(VENV)/.installed-dev
	DEBUG=true $(PY) manage.py makemessages --locale id $(MESSAGE_SOURCES)
	DEBUG=true $(PY) manage.py compilemessages --locale id --ignore=.venv

# Benchmarks at full scale: DATABASE_URL must name a database seeded with `seed_demo --scale 1` (bench/README.md).
bench: $(VENV)/.installed-dev
	$(PY) bench/admin_changelists.py
	$(PY) bench/admin_delete_pages.py
	$(PY) bench/portal.py
	$(PY) bench/reports.py
	$(PY) bench/ledger.py
	$(PY) bench/imports.py
	$(PY) bench/compliance.py
	$(PY) bench/invitations.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-shm db.sqlite3-wal media staticfiles seeds/generated
