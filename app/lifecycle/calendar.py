"""Business days of a ward office: no weekends, national holidays, 年末年始 or the ward's closed days."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import jpholiday
from flask import g

from app.extensions import db
from app.models import ClosedDay

# 年末年始 (12/29–1/3): offices are closed by the city's rules, not by the holiday law.
YEAR_END_START = (12, 29)
NEW_YEAR_END = (1, 3)


def is_year_end_break(day: date) -> bool:
    return (day.month, day.day) >= YEAR_END_START or (day.month, day.day) <= NEW_YEAR_END


class BusinessCalendar:
    """One ward's calendar; the ward's extra closed days are read once per instance."""

    def __init__(self, ward: str | None, extra_closed: set[date] | None = None):
        self.ward = ward
        self._closed = extra_closed if extra_closed is not None else _closed_days(ward)

    def is_business_day(self, day: date) -> bool:
        return not (
            day.weekday() >= 5
            or jpholiday.is_holiday(day)
            or is_year_end_break(day)
            or day in self._closed
        )

    def add_business_days(self, start: date, count: int) -> date:
        """The count-th business day after start (start itself does not count)."""
        day = start
        while count > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                count -= 1
        return day

    def on_or_after(self, day: date) -> date:
        """The day itself when the office is open, else the next business day."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day


def _closed_days(ward: str | None) -> set[date]:
    query = db.session.query(ClosedDay.day).filter(
        (ClosedDay.ward.is_(None)) | (ClosedDay.ward == ward) if ward else ClosedDay.ward.is_(None)
    )
    with settings_read():
        return {day for (day,) in query}


def settings_read():
    """Read closed days and deadline rules without flushing the step's pending rows first.

    Those settings are committed on their own, never inside a case step, so the flush would
    change nothing they return; without it the step's rows (its audit events above all) go out
    together at the next flush instead of in pieces around every due-date lookup.
    """
    return db.session.no_autoflush


def calendar_for(ward: str | None) -> BusinessCalendar:
    cache = pass_cache()
    if cache is None:
        return BusinessCalendar(ward)
    key = ("calendar", ward)
    if key not in cache:
        cache[key] = BusinessCalendar(ward)
    return cache[key]


_PASS_CACHE = "_tsunagi_deadline_cache"


@contextmanager
def rules_cached() -> Iterator[None]:
    """Within the block, closed days and deadline rules are read from the database once.

    For batch work such as a scheduler pass over thousands of cases (each in its own
    transaction): a rule or closed day changed meanwhile applies from the next pass on.
    """
    if g.get(_PASS_CACHE) is not None:
        yield
        return
    setattr(g, _PASS_CACHE, {})
    try:
        yield
    finally:
        g.pop(_PASS_CACHE, None)


def pass_cache() -> dict | None:
    return g.get(_PASS_CACHE)
