"""Outside tests and development the app does not start without a real secret key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.config import InsecureConfiguration

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def production_env(monkeypatch):
    for name in ("TSUNAGI_SECRET_KEY", "TSUNAGI_SECRET_KEY_FILE", "TSUNAGI_ENV"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("key", [None, "", "dev-only-change-me", "short-but-not-empty"])
def test_create_app_refuses_a_missing_short_or_known_key(production_env, tmp_path, key):
    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    if key is not None:
        config["SECRET_KEY"] = key
    with pytest.raises(InsecureConfiguration, match="secret key"):
        create_app(config)


def test_a_long_random_key_or_a_key_file_starts(production_env, tmp_path):
    uri = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "k" * 40}).secret_key == "k" * 40
    key_file = tmp_path / "secret_key"
    key_file.write_text("f" * 64 + "\n")
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY_FILE": str(key_file)})
    assert app.secret_key == "f" * 64


def test_development_without_a_key_gets_one_of_its_own(production_env, monkeypatch, tmp_path):
    monkeypatch.setenv("TSUNAGI_ENV", "development")
    uri = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    first, second = create_app({"SQLALCHEMY_DATABASE_URI": uri}), create_app({"SQLALCHEMY_DATABASE_URI": uri})
    assert len(first.secret_key) >= 32 and first.secret_key != second.secret_key


def test_the_command_line_without_a_key_exits_with_a_message(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("TSUNAGI_SECRET_KEY", "TSUNAGI_SECRET_KEY_FILE", "TSUNAGI_ENV")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    done = subprocess.run([sys.executable, "-m", "app", "users", "create", "x", "--role", "caseworker",
                           "--password", "long-enough-1"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0
    assert "TSUNAGI_SECRET_KEY" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "cli.sqlite3").exists()  # refused before touching the database
    env["TSUNAGI_SECRET_KEY"] = "s" * 48
    done = subprocess.run([sys.executable, "-m", "app", "--help"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "users" in done.stdout, done.stderr
