"""Defaults, then TSUNAGI_* environment variables, then the overrides given to create_app."""

from __future__ import annotations

import json
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "SECRET_KEY": "dev-only-change-me",
    "SQLALCHEMY_DATABASE_URI": None,  # filled from DATABASE_URL or the instance folder
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "PROCESSES_DIR": str(PROJECT_ROOT / "processes"),
    "FORMS_DIR": str(PROJECT_ROOT / "forms"),
    "MAIN_PROCESS_ID": "case_lifecycle",
    # Plan drafts a case may go through before the meeting must approve or close (1 + revisions).
    "MAX_PLAN_ROUNDS": 6,
    # Who delivers each statutory service (the delivery track's role); anything else: provider.
    "DELIVERY_ROLES": {
        "household_budget": "budget_advisor",
        "work_readiness": "employment_navigator",
        "certified_work_training": "employment_navigator",
    },
    "ASSESSMENT_DUE_DAYS": 14,
    "BABEL_DEFAULT_LOCALE": "ja",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
    "LANGUAGES": ["ja", "en"],
    "SESSION_COOKIE_HTTPONLY": True,
    # Session cookies only over HTTPS; `make run` serves plain HTTP on 127.0.0.1 and turns this off.
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    # Timers: retry waits before a failing timer becomes an incident; email is off by default.
    "TIMER_RETRY_BACKOFF_SECONDS": (60, 300, 1800),
    # Notification mail (app/services/notification_mail.py), sent by the scheduler pass after its commit.
    "NOTIFY_EMAIL": False,
    "SMTP_HOST": None,
    "SMTP_PORT": 25,
    "SMTP_FROM": None,
    "SMTP_STARTTLS": False,
    "SMTP_USER": None,  # log in to the relay only when set
    "SMTP_PASSWORD": None,
    # The address staff open tsunagi at (e.g. https://tsunagi.city.example.jp); mail links to it when set.
    "BASE_URL": None,
    # API bearer tokens expire after this many days (`tsunagi users token NAME`).
    "TOKEN_TTL_DAYS": 90,
    # Failed-or-not login attempts per client address and user name (Flask-Limiter syntax).
    "LOGIN_RATE_LIMIT": "10 per minute",
    "RATELIMIT_ENABLED": True,
    # One process: memory is enough; several web processes need a shared store (e.g. redis://).
    "RATELIMIT_STORAGE_URI": "memory://",
    # PostgreSQL session limits (milliseconds; 0 turns one off).  A step waits for a case row lock
    # at most DB_LOCK_TIMEOUT_MS, then answers that the case is busy; a statement runs at most
    # DB_STATEMENT_TIMEOUT_MS (the scheduler's passes DB_SCHEDULER_STATEMENT_TIMEOUT_MS); a
    # transaction left open and idle (a stuck worker) is ended by the server after
    # DB_IDLE_IN_TRANSACTION_TIMEOUT_MS, releasing its locks.
    "DB_LOCK_TIMEOUT_MS": 5_000,
    "DB_STATEMENT_TIMEOUT_MS": 30_000,
    "DB_SCHEDULER_STATEMENT_TIMEOUT_MS": 300_000,
    "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS": 60_000,
    # How long reading a case page waits for a step's case row lock to record the read on the
    # case's chain; past it the read goes to the audit log and the page answers.
    "DB_READ_AUDIT_LOCK_TIMEOUT_MS": 1_000,
}


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _from_env(key: str, value: str, default):
    """Environment values are text; give them the type of the setting's default."""
    if isinstance(default, bool):
        lowered = value.strip().lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        raise ValueError(f"TSUNAGI_{key} must be one of 1/0, true/false, yes/no, on/off (got {value!r})")
    if isinstance(default, int):
        try:
            return int(value)
        except ValueError:
            raise ValueError(f"TSUNAGI_{key} must be a whole number (got {value!r})") from None
    if isinstance(default, (tuple, list, dict)):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"TSUNAGI_{key} must be JSON like its default {default!r}: {exc}") from None
        return tuple(parsed) if isinstance(default, tuple) else parsed
    return value


def load_config(instance_path: str, overrides: dict | None) -> dict:
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        env_value = os.environ.get(f"TSUNAGI_{key}")
        if env_value is not None:
            config[key] = _from_env(key, env_value, DEFAULTS[key])
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    config.update(overrides or {})
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(instance_path) / 'tsunagi.sqlite3'}"
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://"):]
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = with_session_limits(config, config["DB_STATEMENT_TIMEOUT_MS"])
    return config


def with_session_limits(config: dict, statement_timeout_ms: int) -> dict:
    """The engine options plus the PostgreSQL session limits, sent as connection options."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    limits = (f"-c lock_timeout={int(config['DB_LOCK_TIMEOUT_MS'])} "
              f"-c statement_timeout={int(statement_timeout_ms)} "
              f"-c idle_in_transaction_session_timeout={int(config['DB_IDLE_IN_TRANSACTION_TIMEOUT_MS'])}")
    # Options of the deployment's own (e.g. a search_path) are kept; ours come last and win.
    connect_args["options"] = " ".join(filter(None, [connect_args.get("options"), limits]))
    options["connect_args"] = connect_args
    return options
