"""Defaults, then TSUNAGI_* environment variables, then the overrides given to create_app."""

from __future__ import annotations

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
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
}


def load_config(instance_path: str, overrides: dict | None) -> dict:
    config = dict(DEFAULTS)
    for key in list(DEFAULTS) + ["SESSION_COOKIE_SECURE"]:
        env_value = os.environ.get(f"TSUNAGI_{key}")
        if env_value is not None:
            config[key] = env_value
    if os.environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    config.update(overrides or {})
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(instance_path) / 'tsunagi.sqlite3'}"
    uri = config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://"):]
    return config
