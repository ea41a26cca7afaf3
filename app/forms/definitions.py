"""Form definitions: the data in ``forms/<form_key>.toml``, parsed and checked.

A definition is plain data (``to_dict``/``from_dict`` round-trip, JSON-serialisable) so that it
can be stored with each deployed process version; ``content_hash`` identifies its content.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from app.forms.messages import is_english, message

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
    "not_after", "autocomplete",
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
            "codes": "checkboxes", "bool": "checkbox", "date": "date_parts",
            "datetime": "datetime", "kana": "kana",
            "int": "yen" if self.unit == "yen" else "number",
            "text": "textarea" if self.multiline else "text",
        }[self.type]

    @property
    def input_id(self) -> str:
        """The id of the first input of the field (what an error-summary link points to)."""
        if self.widget == "date_parts":
            return f"{self.name}-year"
        if self.widget in ("radios", "checkboxes"):
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
            ("autocomplete", self.autocomplete),
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


@dataclass(frozen=True)
class FormDefinition:
    key: str
    version: int
    titles: dict[str, str]
    sections: tuple[SectionDefinition, ...]
    rules: tuple[Rule, ...] = ()
    descriptions: dict[str, str] | None = None
    _by_name: dict[str, FieldDefinition] = field(
        default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_name.update({f.name: f for s in self.sections for f in s.fields})

    def title(self, locale: str = "ja") -> str:
        return _pick(self.titles, locale)

    def description(self, locale: str = "ja") -> str:
        return _pick(self.descriptions, locale)

    @property
    def fields(self) -> list[FieldDefinition]:
        return list(self._by_name.values())

    def field(self, name: str) -> FieldDefinition:
        """The field called ``name``; KeyError if the form has none."""
        return self._by_name[name]

    def has_field(self, name: str) -> bool:
        return name in self._by_name

    def requirement_note(self, fdef: FieldDefinition, locale: str = "ja") -> str:
        """「区分が「庁内関係課」の場合は必須です」 for a field with ``required_if``, else ""."""
        cond = fdef.required_if
        if cond is None:
            return ""
        other = self.field(cond.field)
        values = cond.value if isinstance(cond.value, tuple) else (cond.value,)
        shown = []
        for value in values:
            if isinstance(value, bool):
                shown.append(message("yes" if value else "no", locale))
            else:
                shown.append(other.choice_label(value, locale) if other.options else str(value))
        key = {"not_in": "not_equals", "not_contains": "contains"}.get(cond.op, cond.op)
        return message(f"when_{key}", locale, field=other.label(locale),
                       value=message("list_sep", locale).join(shown))

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"key": self.key, "version": self.version, "title": self.titles}
        if self.descriptions:
            out["description"] = self.descriptions
        out["sections"] = [s.to_dict() for s in self.sections]
        if self.rules:
            out["rules"] = [r.to_dict() for r in self.rules]
        return out

    @cached_property
    def content_hash(self) -> str:
        """sha256 (hex) of the canonical JSON of ``to_dict()``."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False,
                               separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, dct: dict, source: str = "<dict>") -> FormDefinition:
        """Parse and check a definition; raises FormDefinitionError naming ``source``."""
        from app.forms.checks import parse_definition

        return parse_definition(cls, dct, source)


def describe_fields(definition: FormDefinition, locale: str = "ja") -> list[dict]:
    """Fields for API clients: name, contract type, required, label and (code/codes) choices."""
    described = []
    for fdef in definition.fields:
        item: dict[str, Any] = {"name": fdef.name, "type": fdef.contract_type,
                                "required": fdef.required, "label": fdef.label(locale)}
        if fdef.type in ("code", "codes"):
            item["choices"] = [{"code": c, "label": lbl} for c, lbl in fdef.choice_list(locale)]
        described.append(item)
    return described


def load_form_definitions(path: str | Path) -> dict[str, FormDefinition]:
    """Every ``*.toml`` in the folder ``path`` (or one file), keyed by form key."""
    path = Path(path)
    files = sorted(path.glob("*.toml")) if path.is_dir() else [path]
    if not files:
        raise FormDefinitionError(f"{path}: no form definitions (*.toml) found")
    definitions: dict[str, FormDefinition] = {}
    for file in files:
        try:
            with file.open("rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise FormDefinitionError(f"{file}: cannot read TOML: {exc}") from exc
        data.setdefault("key", file.stem)
        if data["key"] != file.stem:
            raise FormDefinitionError(f"{file}: key '{data['key']}' differs from the file name")
        definitions[data["key"]] = FormDefinition.from_dict(data, source=str(file))
    return definitions

