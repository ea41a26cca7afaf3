"""Dates as a Japanese city office writes them (和暦), and the fiscal year (April to March)."""

from __future__ import annotations

from datetime import date

# (first day, era name): the eras a living person's records can touch.
ERAS = ((date(2019, 5, 1), "令和"), (date(1989, 1, 8), "平成"), (date(1926, 12, 25), "昭和"),
        (date(1912, 7, 30), "大正"))


def _era(d: date) -> tuple[str, int]:
    for start, name in ERAS:
        if d >= start:
            return name, d.year - start.year + 1
    raise ValueError(f"{d.isoformat()} is before the eras this office writes")


def _year_text(name: str, year: int) -> str:
    return f"{name}{'元' if year == 1 else year}年"


def wareki_date(d: date) -> str:
    """``date(2027, 4, 1)`` → 「令和9年4月1日」 (the first year of an era is 元年)."""
    name, year = _era(d)
    return f"{_year_text(name, year)}{d.month}月{d.day}日"


def wareki_month(month: str | date) -> str:
    """``"2027-06"`` → 「令和9年6月」."""
    d = month if isinstance(month, date) else date.fromisoformat(f"{month}-01")
    name, year = _era(d.replace(day=1))
    return f"{_year_text(name, year)}{d.month}月"


def fiscal_year(d: date) -> int:
    """The fiscal year a day falls in, by its starting calendar year (April to March)."""
    return d.year if d.month >= 4 else d.year - 1


def wareki_fiscal_year(year: int) -> str:
    """``2027`` → 「令和9年度」."""
    name, era_year = _era(date(year, 4, 1))
    return f"{_year_text(name, era_year)}度"
