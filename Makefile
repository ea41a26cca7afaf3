# Two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
# `make run PORT=5071` serves on another port.
PORT ?= 5000
VENV := .venv
PY := $(VENV)/bin/python
TSUNAGI := $(VENV)/bin/tsunagi
export FLASK_APP := app

.PHONY: run test lint install

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
