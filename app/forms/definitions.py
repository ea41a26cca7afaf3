"""Form definitions: the data in ``forms/<form_key>.toml``, parsed and checked.

A definition is plain data (``to_dict``/``from_dict`` round-trip, JSON-serialisable) so that it
can be stored with each deployed process version; ``content_hash`` identifies its content.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from app.forms.checks import parse_definition
from app.forms.messages import message
from app.forms.schema import (
    FieldDefinition,
    FormDefinitionError,
    Rule,
    SectionDefinition,
    _pick,
)

__all__ = ["FieldDefinition", "FormDefinition", "FormDefinitionError", "SectionDefinition", "describe_fields",
           "load_form_definitions"]


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

