"""Japanese input helpers: katakana names, yen amounts and Japanese eras (和暦)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_HIRAGANA_START, _HIRAGANA_END = 0x3041, 0x3096  # ぁ … ゖ
_KATAKANA_OFFSET = 0x60
_NOT_KANA = re.compile(r"[^\u30A1-\u30FA\u30FB\u30FC\u30FD\u30FE ]")
_SPACES = re.compile(r"\s+")


def normalize_kana(value: str) -> str:
    """NFKC (half-width ｶﾅ → full-width, full-width space → space) and ひらがな → カタカナ.

    Runs of whitespace become one space; leading and trailing space is removed.
    """
    text = unicodedata.normalize("NFKC", value)
    chars = []
    for ch in text:
        cp = ord(ch)
        if _HIRAGANA_START <= cp <= _HIRAGANA_END or ch in "ゝゞ":
            ch = chr(cp + _KATAKANA_OFFSET)
        chars.append(ch)
    return _SPACES.sub(" ", "".join(chars)).strip()


def non_kana_chars(value: str) -> str:
    """Characters of an already normalised value that are not katakana, space, ・ or ー."""
    seen: list[str] = []
    for ch in _NOT_KANA.findall(value):
        if ch not in seen:
            seen.append(ch)
    return "".join(seen)


_YEN_NOISE = re.compile(r"[,\s円¥\\]")
_INTEGER = re.compile(r"^[+-]?\d+$")


def parse_integer(value: str, *, yen: bool = False) -> int | None:
    """Parse "120000", "120,000", "１２０，０００" or (yen) "120000円" / "¥120,000"; None if invalid."""
    text = unicodedata.normalize("NFKC", value).strip()
    if text[:1] in "−ー":  # minus sign or a long-vowel mark typed as minus
        text = "-" + text[1:]
    if yen:
        text = _YEN_NOISE.sub("", text)
    else:
        text = text.replace(",", "")
    if not _INTEGER.match(text):
        return None
    return int(text)


def format_yen(amount: int) -> str:
    """120000 → "120,000" (the 円 unit is shown next to the input)."""
    return f"{amount:,}"


# --- eras --------------------------------------------------------------------------------------

# (name, romaji initial, English name, first day)
ERAS: tuple[tuple[str, str, str, date], ...] = (
    ("令和", "R", "Reiwa", date(2019, 5, 1)),
    ("平成", "H", "Heisei", date(1989, 1, 8)),
    ("昭和", "S", "Showa", date(1926, 12, 25)),
    ("大正", "T", "Taisho", date(1912, 7, 30)),
    ("明治", "M", "Meiji", date(1868, 10, 23)),
)

_ERA_YEAR = re.compile(r"^(?P<era>[^\d元]+)(?P<year>\d{1,2}|元)年?$")


def era_of(day: date) -> tuple[str, str, int] | None:
    """(Japanese era name, English era name, era year) of a date, or None before Meiji."""
    for name, _initial, english, start in ERAS:
        if day >= start:
            return name, english, day.year - start.year + 1
    return None


def wareki(day: date, locale: str = "ja") -> str:
    """令和8年 for 2026-11-26 (the year only: the month and day are the same as the Western date).

    Year 1 is written 元年 in Japanese. English gives "Reiwa 8".
    """
    era = era_of(day)
    if era is None:
        return ""
    name, english, year = era
    if str(locale).lower().startswith("en"):
        return f"{english} {year}"
    return f"{name}{'元' if year == 1 else year}年"


def parse_year(value: str) -> int | None:
    """A year typed as 2026, ２０２６, R8, 令和8, 令和元年 or H31; None if invalid.

    An era year is converted with the era's first calendar year (a date in an era's first year
    before the era began is still accepted; the day decides nothing here).
    """
    text = unicodedata.normalize("NFKC", value).strip()
    if text.isdigit():
        return int(text) if len(text) == 4 else None
    match = _ERA_YEAR.match(text.replace(" ", ""))
    if not match:
        return None
    era_text = match["era"].upper()
    year = 1 if match["year"] == "元" else int(match["year"])
    for name, initial, english, start in ERAS:
        if era_text in (name, initial, english.upper()):
            return start.year + year - 1 if year >= 1 else None
    return None
