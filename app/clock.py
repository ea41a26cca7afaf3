"""The current time.  Tests and replay replace the clock through ``app.extensions``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app

JST = ZoneInfo("Asia/Tokyo")


def init_clock(app: Flask) -> None:
    app.extensions.setdefault("tsunagi.clock", lambda: datetime.now(UTC))


def now() -> datetime:
    """The current time (UTC)."""
    return current_app.extensions["tsunagi.clock"]()


def today() -> date:
    """Today in Japan, where every ward office is."""
    return now().astimezone(JST).date()


def iso_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(JST).isoformat()


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None
