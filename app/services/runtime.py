"""The per-app engine and clock, created once by create_app."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from app.engine import ProcessEngine

JST = ZoneInfo("Asia/Tokyo")


def init_runtime(app: Flask) -> None:
    delivery_roles = dict(app.config["DELIVERY_ROLES"])

    def services_for_role(services, role):
        return [s for s in (services or []) if delivery_roles.get(s, "provider") == role]

    app.extensions["tsunagi.engine"] = ProcessEngine({"services_for_role": services_for_role})
    app.extensions.setdefault("tsunagi.clock", lambda: datetime.now(UTC))


def engine() -> ProcessEngine:
    return current_app.extensions["tsunagi.engine"]


def now() -> datetime:
    """The current time (UTC); tests replace the clock through app.extensions."""
    return current_app.extensions["tsunagi.clock"]()


def today() -> date:
    return now().astimezone(JST).date()
