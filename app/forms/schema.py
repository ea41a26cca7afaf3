"""The parts of a form definition: fields, sections, conditions and rules, and the names they may use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.forms.messages import is_english

FIELD_TYPES = ("date", "datetime", "bool", "int", "code", "codes", "text", "kana")
# Types the API reports for form fields: a kana field is text to clients.
CONTRACT_TYPES = {"kana": "text"}
SENSITIVITIES = ("identity", "contact", "financial", "tax", "health", "special_care")
CONDITION_OPS = ("equals", "not_equals", "in", "not_in", "contains", "not_contains")
RULE_CHECKS = ("is_true", "not_empty", "empty", "includes")
# Names that would shadow attributes of the generated FlaskForm classes.
RESERVED_NAMES = frozenset({
    "data", "errors", "meta", "process", "validate", "populate_obj", "hidden_tag",
    "is_submitted", "validate_on_submit", "csrf_token", "form_errors", "definition", "locale",
    "clean_data", "errors_by_field", "field", "fields", "extra_validators", "ui_text",
    "defined_fields",
})
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
FIELD_KEYS = {
    "name", "type", "label", "help", "required", "required_if", "default", "min", "max",
    "min_length", "max_length", "pattern", "pattern_message", "unit", "multiline", "normalize",
    "choices", "options", "sensitivity", "source", "source_from", "after", "not_before",
    "not_after", "autocomplete", "yes_no",
}


class FormDefinitionError(ValueError):
    """A form definition file or dict is not valid; the message names the file and field."""


def localized(value: Any, where: str, what: str, *, optional: bool = False) -> dict | None:
    if value is None and optional:
        return None
    if isinstance(value, str):
        value = {"ja": value, "en": value}
    if not (isinstance(value, dict) and isinstance(value.get("ja"), str)
            and isinstance(value.get("en"), str) and set(value) <= {"ja", "en"}):
        raise FormDefinitionError(f"{where}: {what} must be a table with 'ja' and 'en' texts")
    return {"ja": value["ja"], "en": value["en"]}


def _pick(texts: dict[str, str] | None, locale: str) -> str:
    if not texts:
        return ""
    return texts["en"] if is_english(locale) else texts["ja"]


@dataclass(frozen=True)
class Condition:
    """``{field = "route", equals = "city_section"}`` (ops: see CONDITION_OPS)."""

    field: str
    op: str
    value: Any

    @classmethod
    def from_dict(cls, dct: Any, where: str) -> Condition:
        if not isinstance(dct, dict) or "field" not in dct or len(dct) != 2:
            raise FormDefinitionError(
                f"{where}: a condition is {{field = ..., <op> = value}} with one of {CONDITION_OPS}")
        op = next(k for k in dct if k != "field")
        if op not in CONDITION_OPS:
            raise FormDefinitionError(f"{where}: unknown condition operator '{op}'")
        value = dct[op]
        if op in ("in", "not_in"):
            if not isinstance(value, list):
                raise FormDefinitionError(f"{where}: '{op}' needs a list")
            value = tuple(value)
        return cls(field=dct["field"], op=op, value=value)

    def to_dict(self) -> dict:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"field": self.field, self.op: value}

    def holds(self, value: Any) -> bool:
        """Whether the condition holds for the (clean) value of ``self.field``."""
        if self.op == "equals":
            return value == self.value
        if self.op == "not_equals":
            return value != self.value
        if self.op == "in":
            return value in self.value
        if self.op == "not_in":
            return value not in self.value
        items = value or []
        return (self.value in items) == (self.op == "contains")


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: when ``when`` holds, ``field`` must pass ``check``."""

    field: str
    check: str
    message: dict[str, str]
    when: Condition | None = None
    all: tuple[str, ...] = ()
    any_of: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def from_dict(cls, dct: Any, where: str) -> Rule:
        if not isinstance(dct, dict):
            raise FormDefinitionError(f"{where}: a rule must be a table")
        unknown = set(dct) - {"field", "check", "message", "when", "all", "any_of"}
        if unknown:
            raise FormDefinitionError(f"{where}: unknown rule keys {sorted(unknown)}")
        if dct.get("check") not in RULE_CHECKS:
            raise FormDefinitionError(f"{where}: rule check must be one of {RULE_CHECKS}")
        when = Condition.from_dict(dct["when"], where) if "when" in dct else None
        return cls(
            field=dct.get("field", ""), check=dct["check"],
            message=localized(dct.get("message"), where, "rule message"), when=when,
            all=tuple(dct.get("all", ())), any_of=tuple(tuple(g) for g in dct.get("any_of", ())))

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"field": self.field, "check": self.check, "message": self.message}
        if self.when:
            out["when"] = self.when.to_dict()
        if self.all:
            out["all"] = list(self.all)
        if self.any_of:
            out["any_of"] = [list(g) for g in self.any_of]
        return out


@dataclass(frozen=True)
class FieldDefinition:
    name: str
    type: str
    labels: dict[str, str]
    helps: dict[str, str] | None = None
    required: bool = False
    required_if: Condition | None = None
    default: Any = None
    min: Any = None
    max: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: dict[str, str] | None = None
    unit: str | None = None
    multiline: bool = False
    normalize: str | None = None
    choices: str | None = None
    options: dict[str, dict[str, str]] | None = None
    sensitivity: str | None = None
    source: str | None = None
    source_from: str | None = None
    after: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    autocomplete: str | None = None
    # A bool asked as はい／いいえ radios: "required" then means one of them must be chosen.
    yes_no: bool = False

    def label(self, locale: str = "ja") -> str:
        return _pick(self.labels, locale)

    def help(self, locale: str = "ja") -> str:
        return _pick(self.helps, locale)

    @property
    def contract_type(self) -> str:
        return CONTRACT_TYPES.get(self.type, self.type)

    def choice_list(self, locale: str = "ja") -> list[tuple[str, str]]:
        """[(code, label)] in definition order (empty for non-code fields)."""
        return [(code, _pick(labels, locale)) for code, labels in (self.options or {}).items()]

    def choice_label(self, code: str, locale: str = "ja") -> str:
        labels = (self.options or {}).get(code)
        return _pick(labels, locale) if labels else str(code)

    @property
    def widget(self) -> str:
        """How the field renders: select, radios, checkboxes, checkbox, textarea, date_parts,
        datetime, yen, number, kana or text."""
        if self.type == "code":
            return "radios" if len(self.options or {}) <= 4 else "select"
        return {
            "codes": "checkboxes", "bool": "yes_no" if self.yes_no else "checkbox", "date": "date_parts",
            "datetime": "datetime", "kana": "kana",
            "int": "yen" if self.unit == "yen" else "number",
            "text": "textarea" if self.multiline else "text",
        }[self.type]

    @property
    def input_id(self) -> str:
        """The id of the first input of the field (what an error-summary link points to)."""
        if self.widget in ("date_parts", "datetime"):
            return f"{self.name}-year"
        if self.widget in ("radios", "checkboxes", "yes_no"):
            return f"{self.name}-0"
        return self.name

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "label": self.labels}
        for key, value in (
            ("help", self.helps), ("required", self.required), ("default", self.default),
            ("min", self.min), ("max", self.max), ("min_length", self.min_length),
            ("max_length", self.max_length), ("pattern", self.pattern),
            ("pattern_message", self.pattern_message), ("unit", self.unit),
            ("multiline", self.multiline), ("normalize", self.normalize),
            ("choices", self.choices),
            ("options", [{"code": c, **labels} for c, labels in (self.options or {}).items()]),
            ("sensitivity", self.sensitivity), ("source", self.source),
            ("source_from", self.source_from), ("after", self.after),
            ("not_before", self.not_before), ("not_after", self.not_after),
            ("autocomplete", self.autocomplete), ("yes_no", self.yes_no),
        ):
            if value is not None and value is not False and value != []:
                out[key] = value
        if self.required_if:
            out["required_if"] = self.required_if.to_dict()
        return out


@dataclass(frozen=True)
class SectionDefinition:
    name: str
    titles: dict[str, str]
    fields: tuple[FieldDefinition, ...]
    helps: dict[str, str] | None = None

    def title(self, locale: str = "ja") -> str:
        return _pick(self.titles, locale)

    def help(self, locale: str = "ja") -> str:
        return _pick(self.helps, locale)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"name": self.name, "title": self.titles}
        if self.helps:
            out["help"] = self.helps
        out["fields"] = [f.to_dict() for f in self.fields]
        return out
