"""Calendar months as the decisions count them."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime

from app.clock import JST


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_spanned(start: date, end_inclusive: date) -> int:
    """Whole months from ``start`` to the day after ``end_inclusive`` (a started month counts)."""
    months = 0
    while add_months(start, months) <= end_inclusive:
        months += 1
    return months


def jst_date(moment: datetime) -> date:
    """The day in Japan of a stored time (SQLite hands back naive UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(JST).date()
