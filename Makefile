# BSC Portal developer commands (GNU make). `make help` lists them.
#
#   make run             embedded demo: SQLite, no services, http://127.0.0.1:8000
#   make test            lint + checks + pytest against throwaway PostgreSQL/Redis
#                        (extra pytest args: make test ARGS="-k foo -x")
#   make lint            ruff check .
#   make messages        refresh and compile the Spanish catalog (locale/es)
#   make up              the real stack on loopback: PostgreSQL, Redis, Celery, gunicorn
#   make clean-services  stop the PostgreSQL/Redis that `make up` started
#   make backup          pg_dump of DATABASE_URL to var/backups/bsc-YYYYmmdd-HHMMSS.dump
#                        (make backup ARGS=path/to/file.dump)
#   make restore         restore a dump into a new or empty database, then migrate --check
#                        (make restore ARGS="file.dump [postgres://target-url] [--force]")
#   make bench           server CPU/queries/bytes per page at 10x12 and 200x24, then Chromium
#                        page loads (make bench ARGS="--only measure --no-browser --sizes 200x24")
#   make load            locust: 20 users for 60 s against gunicorn + PostgreSQL + Redis
#                        (make load ARGS="--users 10 --seconds 30")

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
LOCK   := requirements/lock.txt
STAMP  := $(VENV)/.installed
# The lock is made for Python 3.11, so prefer it over whatever `python3` happens to be.
PYTHON ?= $(firstword $(shell command -v python3.11 python3 2>/dev/null) python3)
ARGS   ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv install run test lint up clean-services lock bench load backup restore messages

help:
	@sed -n 's/^#   make /  make /p' $(MAKEFILE_LIST)

# Create the virtualenv. Debian splits `venv`/ensurepip into python3.X-venv; if that is
# the reason creation fails, install it and retry (a failed attempt leaves a half-made
# .venv behind, so remove it first).
$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "error: $(PYTHON) is older than Python 3.11" >&2; exit 1; }
	@echo "Creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		rm -rf $(VENV); \
		pkg=python$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv; \
		echo "venv creation failed; installing $$pkg" >&2; \
		sudo=; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkg >&2 && \
		$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }; \
	}

# Reinstall only when the lock changed since the last successful install.
$(STAMP): $(LOCK) | $(PY)
	$(PY) -m pip install -q -r $(LOCK)
	@touch $@

venv install: $(STAMP)

# No environment needed: without DATABASE_URL/REDIS_URL the settings use SQLite under
# var/ and run Celery tasks eagerly. Any DATABASE_URL etc. in the environment is honoured.
# Debug is off unless asked for (a deployment that forgets it must not show tracebacks);
# the demo on loopback asks for it, unless the environment says otherwise.
run: export DJANGO_DEBUG ?= true
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test:
	bash scripts/test.sh $(ARGS)

lint: install
	$(VENV)/bin/ruff check .

# Refresh the Spanish catalog from the code and compile it (README: "Spanish").
messages: install
	bash scripts/messages.sh

up: install
	bash scripts/up.sh

clean-services:
	bash scripts/services.sh stop

# Backups: PostgreSQL only (the embedded demo's data is the file var/db.sqlite3). See README.
backup:
	bash scripts/backup.sh $(ARGS)

restore: install
	bash scripts/restore.sh $(ARGS)

# Measurements, not tests: not part of `make test`; both exit 0 when a goal is missed.
bench: install
	$(PY) scripts/bench.py $(ARGS)

load: install
	$(PY) -m pip install -q -r requirements/bench.txt
	$(PY) scripts/load/run.py $(ARGS)

# Regenerate the lock from the current .venv (after `pip install -U ...` there). Keeps the
# header comments and hand-written lines with an environment marker (`pkg==1.0 ; ...`)
# for packages the freeze does not list.
lock: | $(PY)
	@$(PY) -m pip freeze --exclude-editable | grep -viE '^bsc[-_]portal\b' > $(LOCK).freeze
	@{ grep '^#' $(LOCK) 2>/dev/null; \
	   { cat $(LOCK).freeze; \
	     grep -v '^#' $(LOCK) 2>/dev/null | grep ';' | while read -r line; do \
	       name=$${line%%[=;<> ]*}; \
	       grep -qiE "^$${name//[-_.]/[-_.]}==" $(LOCK).freeze || echo "$$line"; \
	     done; } | LC_ALL=C sort -f -t= -k1,1; } > $(LOCK).tmp
	@rm -f $(LOCK).freeze
	@mv $(LOCK).tmp $(LOCK)
	@touch $(STAMP)
	@echo "Wrote $(LOCK); review the diff"
