"""Parsing a form definition dict (from TOML or stored JSON) and checking it thoroughly."""

from __future__ import annotations

import re
from typing import Any

from app.codes import CODE_LISTS, DATA_SOURCES
from app.forms import values
from app.forms.schema import (
    FIELD_KEYS,
    FIELD_TYPES,
    NAME_PATTERN,
    RESERVED_NAMES,
    SENSITIVITIES,
    Condition,
    FieldDefinition,
    FormDefinitionError,
    Rule,
    SectionDefinition,
    localized,
)

_TOP_KEYS = {"key", "version", "title", "description", "sections", "rules"}
_SECTION_KEYS = {"name", "title", "help", "fields"}


def parse_definition(cls: type, dct: Any, source: str) -> Any:
    if not isinstance(dct, dict):
        raise FormDefinitionError(f"{source}: a form definition must be a table")
    unknown = set(dct) - _TOP_KEYS
    if unknown:
        raise FormDefinitionError(f"{source}: unknown keys {sorted(unknown)}")
    key = dct.get("key")
    if not (isinstance(key, str) and NAME_PATTERN.match(key)):
        raise FormDefinitionError(f"{source}: 'key' must be a snake_case name, not {key!r}")
    version = dct.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormDefinitionError(f"{source}: 'version' must be a positive integer")
    sections_raw = dct.get("sections")
    if not isinstance(sections_raw, list) or not sections_raw:
        raise FormDefinitionError(f"{source}: at least one [[sections]] is needed")
    sections = tuple(_parse_section(s, f"{source}: section {i + 1}")
                     for i, s in enumerate(sections_raw))
    rules = tuple(Rule.from_dict(r, f"{source}: rule {i + 1}")
                  for i, r in enumerate(dct.get("rules", [])))
    definition = cls(
        key=key, version=version, titles=localized(dct.get("title"), source, "title"),
        sections=sections, rules=rules,
        descriptions=localized(dct.get("description"), source, "description", optional=True))
    _check_names(definition, sections, source)
    for fdef in definition.fields:
        _check_references(definition, fdef, f"{source}: field '{fdef.name}'")
    for i, rule in enumerate(rules):
        _check_rule(definition, rule, f"{source}: rule {i + 1}")
    return definition


def _parse_section(raw: Any, where: str) -> SectionDefinition:
    if not isinstance(raw, dict):
        raise FormDefinitionError(f"{where}: a section must be a table")
    unknown = set(raw) - _SECTION_KEYS
    if unknown:
        raise FormDefinitionError(f"{where}: unknown keys {sorted(unknown)}")
    name = raw.get("name")
    if not (isinstance(name, str) and NAME_PATTERN.match(name)):
        raise FormDefinitionError(f"{where}: 'name' must be a snake_case name")
    where = f"{where.rsplit(':', 1)[0]}: section '{name}'"
    fields_raw = raw.get("fields")
    if not isinstance(fields_raw, list) or not fields_raw:
        raise FormDefinitionError(f"{where}: at least one [[sections.fields]] is needed")
    return SectionDefinition(
        name=name, titles=localized(raw.get("title"), where, "title"),
        helps=localized(raw.get("help"), where, "help", optional=True),
        fields=tuple(_parse_field(f, where) for f in fields_raw))


def _parse_options(raw: Any, name: Any, where: str) -> dict[str, dict[str, str]]:
    if raw is None:
        if not (isinstance(name, str) and name in CODE_LISTS):
            raise FormDefinitionError(
                f"{where}: unknown choices list {name!r} (known: {', '.join(CODE_LISTS)})")
        return {code: dict(labels) for code, labels in CODE_LISTS[name].items()}
    items = raw.items() if isinstance(raw, dict) else None
    if isinstance(raw, list):
        try:
            items = [(o["code"], {"ja": o["ja"], "en": o["en"]}) for o in raw]
        except (KeyError, TypeError) as exc:
            raise FormDefinitionError(f"{where}: options are [{{code, ja, en}}, ...]") from exc
    if not items:
        raise FormDefinitionError(f"{where}: options must be a non-empty list")
    return {code: localized(labels, where, f"option '{code}'") for code, labels in items}


def _parse_field(raw: Any, section_where: str) -> FieldDefinition:
    if not isinstance(raw, dict):
        raise FormDefinitionError(f"{section_where}: a field must be a table")
    name = raw.get("name")
    where = f"{section_where}: field '{name}'"
    if not (isinstance(name, str) and NAME_PATTERN.match(name)):
        raise FormDefinitionError(f"{where}: 'name' must be a snake_case name")
    if name in RESERVED_NAMES:
        raise FormDefinitionError(f"{where}: the name is reserved; choose another")
    unknown = set(raw) - FIELD_KEYS
    if unknown:
        raise FormDefinitionError(f"{where}: unknown keys {sorted(unknown)}")
    ftype = raw.get("type")
    if ftype not in FIELD_TYPES:
        raise FormDefinitionError(f"{where}: unknown type {ftype!r} (known: {FIELD_TYPES})")
    is_code = ftype in ("code", "codes")
    if is_code != ("choices" in raw or "options" in raw):
        raise FormDefinitionError(f"{where}: 'choices' is needed for code/codes fields only")
    options = _parse_options(raw.get("options"), raw.get("choices"), where) if is_code else None
    required_if = (Condition.from_dict(raw["required_if"], where)
                   if "required_if" in raw else None)
    if raw.get("required") is not None and not isinstance(raw["required"], bool):
        raise FormDefinitionError(f"{where}: 'required' must be true or false")
    if raw.get("required") and required_if:
        raise FormDefinitionError(f"{where}: use either 'required' or 'required_if'")
    fdef = FieldDefinition(
        name=name, type=ftype, labels=localized(raw.get("label"), where, "label"),
        helps=localized(raw.get("help"), where, "help", optional=True),
        required=bool(raw.get("required", False)), required_if=required_if,
        default=raw.get("default"), min=raw.get("min"), max=raw.get("max"),
        min_length=raw.get("min_length"), max_length=raw.get("max_length"),
        pattern=raw.get("pattern"),
        pattern_message=localized(raw.get("pattern_message"), where, "pattern_message",
                                   optional=True),
        unit=raw.get("unit"), multiline=bool(raw.get("multiline", False)),
        normalize=raw.get("normalize"), choices=raw.get("choices"), options=options,
        sensitivity=raw.get("sensitivity"), source=raw.get("source"),
        source_from=raw.get("source_from"), after=raw.get("after"),
        not_before=raw.get("not_before"), not_after=raw.get("not_after"),
        autocomplete=raw.get("autocomplete"), yes_no=bool(raw.get("yes_no", False)))
    _check_field(fdef, where)
    return fdef


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_field(f: FieldDefinition, where: str) -> None:
    def fail(text: str) -> None:
        raise FormDefinitionError(f"{where}: {text}")

    if f.unit is not None and (f.unit != "yen" or f.type != "int"):
        fail("'unit' can only be \"yen\", on an int field")
    if f.yes_no and f.type != "bool":
        fail("'yes_no' is for bool fields")
    if f.multiline and f.type != "text":
        fail("'multiline' is for text fields")
    if f.normalize is not None and (f.normalize != "nfkc" or f.type != "text"):
        fail("'normalize' can only be \"nfkc\", on a text field")
    for bound in ("min", "max"):
        spec = getattr(f, bound)
        if spec is None:
            continue
        if f.type == "int" and not _is_int(spec):
            fail(f"'{bound}' must be an integer")
        if f.type == "date":
            try:
                values.parse_date_bound(spec)
            except ValueError:
                fail(f"'{bound}' must be an ISO date or \"today\"")
        if f.type not in ("int", "date"):
            fail(f"'{bound}' is for int and date fields")
    for length in ("min_length", "max_length"):
        spec = getattr(f, length)
        if spec is not None and (f.type not in ("text", "kana") or not _is_int(spec) or spec < 0):
            fail(f"'{length}' must be a non-negative integer, on a text or kana field")
    if f.pattern is not None:
        if f.type not in ("text", "kana") or not isinstance(f.pattern, str):
            fail("'pattern' is for text and kana fields")
        try:
            re.compile(f.pattern)
        except re.error as exc:
            fail(f"'pattern' does not compile: {exc}")
    if f.sensitivity is not None and f.sensitivity not in SENSITIVITIES:
        fail(f"unknown sensitivity {f.sensitivity!r} (known: {SENSITIVITIES})")
    if f.source is not None and f.source not in DATA_SOURCES:
        fail(f"unknown source {f.source!r} (known: {', '.join(DATA_SOURCES)})")
    if any((f.after, f.not_before, f.not_after)) and f.type not in ("date", "datetime"):
        fail("'after', 'not_before' and 'not_after' are for date and datetime fields")
    if f.default is not None:
        if values.is_blank(f.default):
            fail("'default' must not be blank")
        _value, error = values.coerce(f, f.default, "en")
        if error:
            fail(f"'default' is not valid: {error}")


def _check_names(definition: Any, sections: tuple, source: str) -> None:
    seen: set[str] = set()
    for fdef in (f for s in sections for f in s.fields):
        if fdef.name in seen:
            raise FormDefinitionError(f"{source}: field '{fdef.name}' is defined twice")
        seen.add(fdef.name)


def _check_condition(definition: Any, cond: Condition, self_name: str | None, where: str) -> None:
    if not definition.has_field(cond.field) or cond.field == self_name:
        raise FormDefinitionError(f"{where}: condition names a missing field '{cond.field}'")
    other = definition.field(cond.field)
    list_ops = cond.op in ("contains", "not_contains")
    if list_ops != (other.type == "codes"):
        raise FormDefinitionError(
            f"{where}: use contains/not_contains with codes fields (and only with them)")
    tested = cond.value if isinstance(cond.value, tuple) else (cond.value,)
    for value in tested:
        if other.options is not None and value not in other.options:
            raise FormDefinitionError(f"{where}: '{value}' is not a choice of '{cond.field}'")
        if other.type == "bool" and not isinstance(value, bool):
            raise FormDefinitionError(f"{where}: '{cond.field}' is a bool; compare with true/false")


def _check_references(definition: Any, fdef: FieldDefinition, where: str) -> None:
    if fdef.required_if:
        _check_condition(definition, fdef.required_if, fdef.name, f"{where}: required_if")
    for key in ("after", "not_before", "not_after"):
        other = getattr(fdef, key)
        if other is None:
            continue
        if not definition.has_field(other) or other == fdef.name:
            raise FormDefinitionError(f"{where}: '{key}' names a missing field '{other}'")
        if definition.field(other).type != fdef.type:
            raise FormDefinitionError(f"{where}: '{key}' field '{other}' is not a {fdef.type}")
    if fdef.source_from is not None:
        if not definition.has_field(fdef.source_from) or definition.field(
                fdef.source_from).type != "code":
            raise FormDefinitionError(f"{where}: 'source_from' must name a code field")


def _check_rule(definition: Any, rule: Rule, where: str) -> None:
    if not definition.has_field(rule.field):
        raise FormDefinitionError(f"{where}: rule names a missing field '{rule.field}'")
    if rule.when:
        _check_condition(definition, rule.when, None, f"{where}: when")
    target = definition.field(rule.field)
    if rule.check == "is_true" and target.type != "bool":
        raise FormDefinitionError(f"{where}: 'is_true' needs a bool field")
    if rule.check == "includes":
        if target.type != "codes" or not (rule.all or rule.any_of):
            raise FormDefinitionError(f"{where}: 'includes' needs a codes field and all/any_of")
        for code in list(rule.all) + [c for group in rule.any_of for c in group]:
            if code not in (target.options or {}):
                raise FormDefinitionError(f"{where}: '{code}' is not a choice of '{rule.field}'")
