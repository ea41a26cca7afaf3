"""WTForms fields for definition fields.

They only collect raw input and keep it for re-display; all checking happens in
``app.forms.validation`` (shared with the JSON API). The HTML comes from
``templates/forms/_macros.html``, which reads the display helpers below
(``input_value``, ``selected``, ``checked``, ``parts``, ``era_text``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wtforms.fields import Field
from wtforms.utils import unset_value

from app.forms import jp, values
from app.forms.schema import FieldDefinition


class DefinedField(Field):
    """Base class: ``raw`` is what ``validate_raw`` receives for this field."""

    def __init__(self, label: str | None = None, *, fdef: FieldDefinition, locale: str = "ja",
                 **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.fdef = fdef
        self.locale = locale
        self.raw: Any = values.MISSING

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.object_data = None if data is unset_value else data
        if formdata is not None:
            self.raw = self.read_formdata(formdata)
            self.raw_data = formdata.getlist(self.name) if self.name in formdata else []
        else:
            self.raw = values.MISSING if self.object_data is None else self.object_data
        self.data = self.raw if self.raw is not values.MISSING else None

    def read_formdata(self, formdata: Any) -> Any:
        return formdata.get(self.name, values.MISSING)

    def pre_validate(self, form: Any) -> None:
        """Nothing: the shared validation runs in the form's ``validate``."""

    @property
    def input_value(self) -> str:
        """The text to show in the input (the submitted text after an error)."""
        if self.raw is values.MISSING or self.raw is None:
            return ""
        return str(self.raw)


class TextInputField(DefinedField):
    """text and kana fields (input or textarea)."""


class IntInputField(DefinedField):
    """int fields; yen amounts are shown with separators (120,000)."""

    @property
    def input_value(self) -> str:
        raw = self.raw
        if self.fdef.unit == "yen" and not isinstance(raw, bool):
            amount = raw if isinstance(raw, int) else (
                jp.parse_integer(raw, yen=True) if isinstance(raw, str) else None)
            if amount is not None:
                return jp.format_yen(amount)
        return super().input_value


class BoolInputField(DefinedField):
    """A checkbox: checked when the name is posted with a true-ish value ("y", "on", ...)."""

    def read_formdata(self, formdata: Any) -> Any:
        posted = formdata.getlist(self.name)
        if self.fdef.yes_no:  # radios: nothing chosen stays unanswered
            return posted[-1] if posted else values.MISSING
        return any(str(v).strip().lower() not in values.FALSE_STRINGS for v in posted)

    @property
    def checked(self) -> bool:
        raw = self.raw
        if isinstance(raw, str):
            return raw.strip().lower() in values.TRUE_STRINGS
        return raw is True

    @property
    def answered_no(self) -> bool:
        raw = self.raw
        if isinstance(raw, str):
            return raw.strip().lower() in values.FALSE_STRINGS - {""}
        return raw is False


class CodeInputField(DefinedField):
    """One code: a select, or radios when there are four choices or fewer."""

    @property
    def selected(self) -> list[str]:
        return [self.raw] if isinstance(self.raw, str) else []


class CodesInputField(DefinedField):
    """A list of codes: checkboxes."""

    def read_formdata(self, formdata: Any) -> Any:
        return [v for v in formdata.getlist(self.name) if str(v).strip()]

    @property
    def selected(self) -> list[str]:
        return [str(v) for v in self.raw] if isinstance(self.raw, (list, tuple)) else []


class DateInputField(DefinedField):
    """A date as three inputs ``<name>-year``, ``-month``, ``-day``; a single ISO value
    posted under ``<name>`` is accepted too. Years may be typed as era years (R8, 令和8)."""

    def read_formdata(self, formdata: Any) -> Any:
        parts = {p: formdata.get(f"{self.name}-{p}", "") for p in values.DATE_PARTS}
        if not values.is_blank(parts):
            return parts
        return formdata.get(self.name, values.MISSING)

    @property
    def parts(self) -> dict[str, str]:
        raw = self.raw
        if isinstance(raw, dict):
            return {p: str(raw.get(p, "")) for p in values.DATE_PARTS}
        day = values.parse_date(raw) if not values.is_blank(raw) else None
        if day is not None:
            return {"year": str(day.year), "month": str(day.month), "day": str(day.day)}
        return {"year": "", "month": "", "day": ""}

    @property
    def era_text(self) -> str:
        """「令和8年」 for a complete, valid date; "" otherwise."""
        day = values.parse_date(self.parts) if all(self.parts.values()) else None
        return jp.wareki(day, self.locale) if day else ""


class DateTimeInputField(DefinedField):
    """A date and time as 年/月/日 and 時:分 inputs (``<name>-year`` … ``-minute``), like the date
    fields; a single ISO value posted under ``<name>`` is accepted too.  Japan time."""

    PARTS = ("year", "month", "day", "hour", "minute")

    def read_formdata(self, formdata: Any) -> Any:
        parts = {p: str(formdata.get(f"{self.name}-{p}", "")).strip() for p in self.PARTS}
        if not any(parts.values()):
            return formdata.get(self.name, values.MISSING)
        self.posted_parts = parts
        year = jp.parse_year(parts["year"])
        numbers = [parts[p] for p in self.PARTS[1:]]
        if year is None or not all(n.isdigit() for n in numbers):
            return " ".join(parts.values())  # not a date and time: the field's error says so
        month, day, hour, minute = (int(n) for n in numbers)
        return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}"

    @property
    def parts(self) -> dict[str, str]:
        posted = getattr(self, "posted_parts", None)
        if posted is not None:
            return posted
        value = self.input_value
        if len(value) >= 16 and value[4] == "-" and value[10] == "T":
            return {"year": str(int(value[:4])), "month": str(int(value[5:7])), "day": str(int(value[8:10])),
                    "hour": value[11:13], "minute": value[14:16]}
        return dict.fromkeys(self.PARTS, "")

    @property
    def input_value(self) -> str:
        raw = self.raw
        if isinstance(raw, str):
            try:
                parsed = datetime.fromisoformat(raw.strip())
            except ValueError:
                return raw
        elif isinstance(raw, datetime):
            parsed = raw
        else:
            return super().input_value
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(values.TOKYO)
        return parsed.strftime("%Y-%m-%dT%H:%M")


FIELD_CLASSES: dict[str, type[DefinedField]] = {
    "text": TextInputField,
    "kana": TextInputField,
    "int": IntInputField,
    "bool": BoolInputField,
    "code": CodeInputField,
    "codes": CodesInputField,
    "date": DateInputField,
    "datetime": DateTimeInputField,
}
