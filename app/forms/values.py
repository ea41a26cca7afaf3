"""Turning one raw value (JSON or HTML form input) into a clean value of a field's type."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from app import clock
from app.forms import jp
from app.forms.messages import is_english, message

if TYPE_CHECKING:
    from app.forms.schema import FieldDefinition

TOKYO = ZoneInfo("Asia/Tokyo")
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
TRUE_STRINGS = frozenset({"true", "on", "y", "yes", "1"})
FALSE_STRINGS = frozenset({"false", "off", "n", "no", "0", ""})
DATE_PARTS = ("year", "month", "day")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DASHES = str.maketrans({ch: "-" for ch in "ー‐‑‒–—―−"})
_HAS_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# Text that reorders what a reader sees (bidirectional embeddings, overrides and isolates) can make a
# record say something other than what is stored; it is refused in every text field.
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Dates any record of the desk can carry; outside them a typo (0001, 9999) would pass as a date.
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2099, 12, 31)


def _visible(text: str) -> str:
    """The text without whitespace and invisible format characters (zero-width spaces, joiners, BOM)."""
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


def today() -> date:
    """Today in Japan (server time zone does not matter), on the app's clock when there is an app."""
    if has_app_context() and "tsunagi.clock" in current_app.extensions:
        return clock.today()
    return datetime.now(TOKYO).date()


def is_blank(raw: Any) -> bool:
    """No answer: absent, None, blank text, an empty list or date parts all blank."""
    if raw is MISSING or raw is None:
        return True
    if isinstance(raw, str):
        return not _visible(raw)
    if isinstance(raw, (list, tuple)):
        return len(raw) == 0
    if isinstance(raw, dict):
        return all(is_blank(raw.get(part)) for part in DATE_PARTS)
    return False


def empty_value(fdef: FieldDefinition) -> Any:
    """The clean value of an unanswered field: False for bool, [] for codes, else None
    (None for a yes/no question too: unanswered is not "no")."""
    if fdef.yes_no:
        return None
    return {"bool": False, "codes": []}.get(fdef.type)


def parse_date_bound(spec: Any) -> date:
    """A date bound in a definition: "today" or an ISO date. ValueError otherwise."""
    if spec == "today":
        return today()
    if isinstance(spec, date) and not isinstance(spec, datetime):
        return spec
    if isinstance(spec, str) and _ISO_DATE.match(spec):
        return date.fromisoformat(spec)
    raise ValueError(f"not a date bound: {spec!r}")


def format_date(day: date, locale: str = "ja") -> str:
    if is_english(locale):
        return day.isoformat()
    return f"{day.year}年{day.month}月{day.day}日"


def to_json(fdef: FieldDefinition, value: Any) -> Any:
    """A clean value in its JSON form (dates as ISO strings)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def coerce(fdef: FieldDefinition, raw: Any, locale: str = "ja") -> tuple[Any, str | None]:
    """(clean value, None) or (None, error message) for a raw value that is not blank."""
    return _COERCERS[fdef.type](fdef, raw, locale)


def _err(key: str, fdef: FieldDefinition, locale: str, **params: Any) -> tuple[None, str]:
    return None, message(key, locale, label=fdef.label(locale), **params)


def _bool(fdef: FieldDefinition, raw: Any, locale: str) -> tuple[Any, str | None]:
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, str) and raw.strip().lower() in TRUE_STRINGS | FALSE_STRINGS:
        return raw.strip().lower() in TRUE_STRINGS, None
    return _err("bool", fdef, locale)


def _int(fdef: FieldDefinition, raw: Any, locale: str) -> tuple[Any, str | None]:
    yen = fdef.unit == "yen"
    value: int | None = None
    if isinstance(raw, bool):
        value = None
    elif isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str):
        value = jp.parse_integer(raw, yen=yen)
    if value is None:
        return _err("yen" if yen else "int", fdef, locale)

    def shown(n: int) -> str:
        return f"{jp.format_yen(n)}{message('unit_yen', locale)}" if yen else str(n)

    if fdef.min is not None and value < fdef.min:
        return _err("int_min", fdef, locale, min=shown(fdef.min))
    if fdef.max is not None and value > fdef.max:
        return _err("int_max", fdef, locale, max=shown(fdef.max))
    return value, None


def _code(fdef: FieldDefinition, raw: Any, locale: str) -> tuple[Any, str | None]:
    code = raw.strip() if isinstance(raw, str) else raw
    if isinstance(code, str) and code in (fdef.options or {}):
        return code, None
    return _err("code", fdef, locale, value=raw)


def _codes(fdef: FieldDefinition, raw: Any, locale: str) -> tuple[Any, str | None]:
    if not isinstance(raw, (list, tuple)):
        return _err("codes_type", fdef, locale)
    options = fdef.options or {}
    bad = [item for item in raw if not (isinstance(item, str) and item.strip() in options)]
    if bad:
        return _err("code", fdef, locale, value=", ".join(str(b) for b in bad))
    clean: list[str] = []
    for item in raw:
        if item.strip() not in clean:
            clean.append(item.strip())
    return clean, None


def _check_length(fdef: FieldDefinition, text: str, locale: str) -> tuple[Any, str | None]:
    if fdef.min_length is not None and len(text) < fdef.min_length:
        return _err("min_length", fdef, locale, min=fdef.min_length)
    if fdef.max_length is not None and len(text) > fdef.max_length:
        return _err("max_length", fdef, locale, max=fdef.max_length, count=len(text))
    if fdef.pattern and not re.fullmatch(fdef.pattern, text):
        if fdef.pattern_message:
            return None, fdef.pattern_message["en" if is_english(locale) else "ja"]
        return _err("pattern", fdef, locale)
    return text, None


def _text(fdef: FieldDefinition, raw: Any, locale: str) -> tuple[Any, str | None]:
    if not isinstance(raw, str):
        return _err("text_type", fdef, locale)
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if _DIRECTION_CONTROLS.search(text):
        return _err("text_control", fdef, locale)
    if fdef.normalize == "nfkc":  # phone numbers, emails: full-width → ASCII, dashes → "-"
        text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return _check_length(fdef, text, locale)


def _kana(fdef: FieldDefinition, raw: Any, locale: str) -> tuple[Any, str | None]:
    if not isinstance(raw, str):
        return _err("text_type", fdef, locale)
    text = jp.normalize_kana(raw)
    bad = jp.non_kana_chars(text)
    if bad:
        return _err("kana", fdef, locale, chars=bad)
    return _check_length(fdef, text, locale)


def parse_date(raw: Any) -> date | None:
    """A date from a date object, "YYYY-MM-DD" (also ２０２６／１１／２６) or year/month/day parts."""
    if isinstance(raw, datetime):
        return None
    if isinstance(raw, date):
        return raw
    try:
        if isinstance(raw, str):
            match = _ISO_DATE.match(unicodedata.normalize("NFKC", raw).strip().replace("/", "-"))
            return date(*(int(g) for g in match.groups())) if match else None
        if isinstance(raw, dict):
            year = jp.parse_year(str(raw.get("year", "")))
            month, day = (unicodedata.normalize("NFKC", str(raw.get(p, ""))).strip()
                          for p in ("month", "day"))
            if year is None or not month.isdigit() or not day.isdigit():
                return None
            return date(year, int(month), int(day))
    except ValueError:
        return None
    return None


def _date(fdef: FieldDefinition, raw: Any, locale: str) -> tuple[Any, str | None]:
    if isinstance(raw, dict) and any(is_blank(raw.get(p)) for p in DATE_PARTS):
        return _err("date_parts", fdef, locale)
    value = parse_date(raw)
    if value is None:
        return _err("date", fdef, locale)
    if fdef.min is not None and value < parse_date_bound(fdef.min):
        return _err("date_min", fdef, locale, min=_shown_bound(fdef.min, locale))
    if fdef.max is not None and value > parse_date_bound(fdef.max):
        return _err("date_max", fdef, locale, max=_shown_bound(fdef.max, locale))
    if not EARLIEST_DATE <= value <= LATEST_DATE:  # the field's own bounds, when it has any, say it better
        return _date_range_error(fdef, locale)
    return value, None


def _date_range_error(fdef: FieldDefinition, locale: str) -> tuple[None, str]:
    return _err("date_range", fdef, locale, min=format_date(EARLIEST_DATE, locale),
                max=format_date(LATEST_DATE, locale))


def _shown_bound(spec: Any, locale: str) -> str:
    return message("today", locale) if spec == "today" else format_date(parse_date_bound(spec), locale)


def _datetime(fdef: FieldDefinition, raw: Any, locale: str) -> tuple[Any, str | None]:
    value: datetime | None = None
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str) and _HAS_TIME.match(raw.strip()):
        try:
            value = datetime.fromisoformat(raw.strip())
        except ValueError:
            value = None
    if value is None:
        return _err("datetime", fdef, locale)
    if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        return _date_range_error(fdef, locale)
    if value.tzinfo is None:  # a naive time (e.g. <input type=datetime-local>) is Japan time
        value = value.replace(tzinfo=TOKYO)
    return value, None


_COERCERS = {
    "bool": _bool, "int": _int, "code": _code, "codes": _codes, "text": _text,
    "kana": _kana, "date": _date, "datetime": _datetime,
}
