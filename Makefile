# Two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
# `make run PORT=5071` serves on another port.
PORT ?= 5000
VENV := .venv
PY := $(VENV)/bin/python
TSUNAGI := $(VENV)/bin/tsunagi
export FLASK_APP := app

.PHONY: run test lint install serve

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The app refuses to start without a secret key: the first run makes one, readable only by you.
SECRET_FILE := instance/secret_key

$(SECRET_FILE):
	mkdir -p instance
	(umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))' > $@)

run: install $(SECRET_FILE)
	TSUNAGI_SECRET_KEY_FILE=$(SECRET_FILE) $(TSUNAGI) db upgrade
	TSUNAGI_SECRET_KEY_FILE=$(SECRET_FILE) $(TSUNAGI) demo
	TSUNAGI_SECRET_KEY_FILE=$(SECRET_FILE) TSUNAGI_SESSION_COOKIE_SECURE=0 $(TSUNAGI) run --host 127.0.0.1 --port $(PORT)

test: install
	$(PY) -m tests.run_suites

lint: install
	$(VENV)/bin/ruff check app tests bench tools

# Production-style on this machine: gunicorn workers and one scheduler on a PostgreSQL database
# (README.md, "Production").  Create the database once, e.g. `createdb -h 127.0.0.1 -U postgres tsunagi`.
DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/tsunagi
SERVE_ENV = DATABASE_URL=$(DATABASE_URL) TSUNAGI_SECRET_KEY_FILE=$(SECRET_FILE) TSUNAGI_SESSION_COOKIE_SECURE=0 \
	TSUNAGI_RATELIMIT_STORAGE_URI=tsunagi+$(DATABASE_URL)

serve: install $(SECRET_FILE)
	$(SERVE_ENV) $(TSUNAGI) db upgrade
	$(SERVE_ENV) $(TSUNAGI) processes deploy
	# The scheduler runs beside the web workers and stops with them (Ctrl-C).
	$(SERVE_ENV) sh -c 'trap "kill $$scheduler" EXIT INT TERM; $(TSUNAGI) scheduler & scheduler=$$!; $(VENV)/bin/gunicorn -c gunicorn.conf.py'
