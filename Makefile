# Two commands for a newcomer: `make run` and `make test` (see README.md).
PYTHON ?= python3
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

run: install
	$(TSUNAGI) db upgrade
	$(TSUNAGI) demo
	TSUNAGI_SESSION_COOKIE_SECURE=0 $(TSUNAGI) run --host 127.0.0.1 --port 5000

test: install
	$(PY) -m tests.run_suites

lint: install
	$(VENV)/bin/ruff check app tests bench tools
