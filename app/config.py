"""Defaults, then TSUNAGI_* environment variables, then the overrides given to create_app."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    # Signs session cookies and CSRF tokens: no default, since a known key lets anyone forge a
    # session.  TSUNAGI_SECRET_KEY, or TSUNAGI_SECRET_KEY_FILE naming a file that holds it
    # (`make run` makes instance/secret_key).  create_app refuses to start without one.
    "SECRET_KEY": None,
    "SECRET_KEY_FILE": None,
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
    # A login ends after this many minutes without a request, and this many after it began,
    # whatever the activity (checked on every request against the injectable clock).
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_MAX_HOURS": 12,
    # Behind a reverse proxy that terminates HTTPS: how many proxies to trust for X-Forwarded-For
    # and X-Forwarded-Proto (0: none; the headers are ignored, as anyone can send them).
    "TRUSTED_PROXIES": 0,
    # HTTPS answers carry Strict-Transport-Security with this max-age (seconds).
    "HSTS_SECONDS": 31536000,
    "WTF_CSRF_TIME_LIMIT": None,
    # Timers: retry waits before a failing timer becomes an incident; email is off by default.
    "TIMER_RETRY_BACKOFF_SECONDS": (60, 300, 1800),
    # A task due at a time of day (risk acknowledgement) still open this long after it: section chief alerted.
    "RISK_ESCALATE_AFTER_MINUTES": 30,
    # Notification mail (app/services/timers/mail.py), sent by the scheduler pass after its commit.
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
    # The largest request body read at all (a BPMN upload is capped at 2 MB inside this).
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "TOKEN_TTL_DAYS": 90,
    # The longest life a token may be given (`users token --days`): a forgotten token must still expire.
    "TOKEN_MAX_DAYS": 365,
    # Failed-or-not login attempts per client address and user name (Flask-Limiter syntax).
    "LOGIN_RATE_LIMIT": "10 per minute",
    # Failed login attempts per client address across every user name (password spraying); only
    # failures count, so an office behind one NAT address still logs in at nine o'clock.
    "LOGIN_ADDRESS_RATE_LIMIT": "30 per 10 minutes",
    "RATELIMIT_ENABLED": True,
    # One process: memory is enough; several web processes need a shared store: the app's database
    # (tsunagi+postgresql://…, app/ratelimit_store.py) or redis://.
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
    # Official notices: the issuing city, and the 教示 (how to object) printed on every decision.
    # The city's legal section confirms this text; it is a setting so that it changes without code.
    "NOTICE_CITY": "横浜市",
    "NOTICE_APPEAL_TEXT": (
        "1　この決定に不服がある場合は、この決定があったことを知った日の翌日から起算して3か月以内に、"
        "{city}長に対して審査請求をすることができます（行政不服審査法）。",
        "2　この決定の取消しを求める訴えは、この決定があったことを知った日の翌日から起算して6か月以内に、"
        "{city}を被告として（訴訟において{city}を代表する者は{city}長となります。）提起することができます"
        "（行政事件訴訟法）。ただし、審査請求をした場合には、その審査請求に対する裁決があったことを知った日の"
        "翌日から起算して6か月以内に提起することができます。",
    ),
    # 問い合わせ先 on notices: the section, its desk hours, and a phone number per ward (set per site).
    "NOTICE_CONTACT_SECTION": "{ward}福祉保健センター 生活支援課 自立支援担当",
    "NOTICE_CONTACT_HOURS": "平日 8時45分〜17時00分",
    "NOTICE_CONTACT_PHONES": {},
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


# A key shorter than this is guessable offline from one signed cookie.
MIN_SECRET_KEY_LENGTH = 32
# Keys that were once written down in this repository: known to anyone who read it.
_KNOWN_KEYS = {"dev-only-change-me"}


class InsecureConfiguration(RuntimeError):
    """The settings would let the app run unsafely; it refuses to start."""


def check_secret_key(config: dict) -> None:
    """Outside tests and development (TSUNAGI_ENV=development) a real secret key is required."""
    if config.get("TESTING") or os.environ.get("TSUNAGI_ENV") == "development":
        if not config.get("SECRET_KEY"):
            # A key of this process only: sessions do not outlive it, and nobody else knows it.
            config["SECRET_KEY"] = secrets.token_urlsafe(48)
        return
    key = config.get("SECRET_KEY")
    if not key:
        raise InsecureConfiguration(
            "tsunagi: no secret key. Set TSUNAGI_SECRET_KEY (or TSUNAGI_SECRET_KEY_FILE, a file holding it) to "
            f"a random value of at least {MIN_SECRET_KEY_LENGTH} characters, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'")
    if len(key) < MIN_SECRET_KEY_LENGTH or key in _KNOWN_KEYS:
        raise InsecureConfiguration(
            f"tsunagi: the secret key is too short or publicly known; use a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))'")


def load_config(instance_path: str, overrides: dict | None) -> dict:
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        env_value = os.environ.get(f"TSUNAGI_{key}")
        if env_value is not None:
            config[key] = _from_env(key, env_value, DEFAULTS[key])
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    config.update(overrides or {})
    if not config.get("SECRET_KEY") and config.get("SECRET_KEY_FILE"):
        try:
            config["SECRET_KEY"] = Path(config["SECRET_KEY_FILE"]).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InsecureConfiguration(f"tsunagi: cannot read the secret key file: {exc}") from None
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
    # A pooled connection is checked when taken without a query (transactions.watch_pool).
    options["pool_pre_ping"] = False
    connect_args = dict(options.get("connect_args") or {})
    limits = (f"-c lock_timeout={int(config['DB_LOCK_TIMEOUT_MS'])} "
              f"-c statement_timeout={int(statement_timeout_ms)} "
              f"-c idle_in_transaction_session_timeout={int(config['DB_IDLE_IN_TRANSACTION_TIMEOUT_MS'])}")
    # Options of the deployment's own (e.g. a search_path) are kept; ours come last and win.
    connect_args["options"] = " ".join(filter(None, [connect_args.get("options"), limits]))
    options["connect_args"] = connect_args
    return options
