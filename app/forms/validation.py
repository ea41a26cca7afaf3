"""The validation rules of a form definition, shared by the JSON API and the HTML forms.

``validate_data`` checks a JSON-like dict; the generated FlaskForm classes collect their raw
inputs and call ``validate_raw`` — the same code path, so both apply exactly the same rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.forms import values
from app.forms.definitions import FormDefinition
from app.forms.messages import is_english, message
from app.forms.schema import Condition, FieldDefinition, Rule


@dataclass
class ValidationResult:
    """``clean`` is JSON-serialisable and holds every field of the form (blank ones as None,
    False or []); it is empty unless ``ok``. ``errors`` maps a field name to its messages."""

    clean: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_data(definition: FormDefinition, data: Any, locale: str = "ja") -> ValidationResult:
    """Validate submitted ``data`` (e.g. a JSON body) against ``definition``.

    Keys the form does not define are errors (never silently dropped).
    """
    if not isinstance(data, Mapping):
        return ValidationResult(errors={"data": [message("not_an_object", locale)]})
    errors: dict[str, list[str]] = {}
    known: dict[str, Any] = {}
    for key, raw in data.items():
        if definition.has_field(str(key)):
            known[str(key)] = raw
        else:
            errors[str(key)] = [message("unknown_field", locale, name=key)]
    return validate_raw(definition, known, locale, errors)


def validate_raw(definition: FormDefinition, raw: Mapping[str, Any], locale: str = "ja",
                 errors: dict[str, list[str]] | None = None) -> ValidationResult:
    """Validate raw values of the form's own fields (absent ones count as blank)."""
    errors = {} if errors is None else errors
    clean_values: dict[str, Any] = {}
    for fdef in definition.fields:
        value, error = _field_value(fdef, raw.get(fdef.name, values.MISSING), locale)
        if error:
            errors[fdef.name] = [error]
        else:
            clean_values[fdef.name] = value
    _check_required(definition, clean_values, errors, locale)
    _check_comparisons(definition, clean_values, errors, locale)
    for rule in definition.rules:
        _check_rule(definition, rule, clean_values, errors, locale)
    if errors:
        return ValidationResult(errors=errors)
    clean = {f.name: values.to_json(f, clean_values[f.name]) for f in definition.fields}
    return ValidationResult(clean=clean)


def _field_value(fdef: FieldDefinition, raw: Any, locale: str) -> tuple[Any, str | None]:
    if values.is_blank(raw):
        if fdef.default is not None:
            return values.coerce(fdef, fdef.default, locale)
        return values.empty_value(fdef), None
    return values.coerce(fdef, raw, locale)


def _is_empty(value: Any) -> bool:
    return value is None or value is False or value == []


def _holds(cond: Condition, clean_values: dict[str, Any]) -> bool:
    """A condition on a field that has an error does not hold (its error is shown instead)."""
    return cond.field in clean_values and cond.holds(clean_values[cond.field])


def _required_message(fdef: FieldDefinition, locale: str) -> str:
    if fdef.yes_no:
        return message("required_choice", locale, label=fdef.label(locale))
    key = {"bool": "required_check", "code": "required_choice",
           "codes": "required_choice"}.get(fdef.type, "required")
    return message(key, locale, label=fdef.label(locale))


def _check_required(definition: FormDefinition, clean_values: dict[str, Any],
                    errors: dict[str, list[str]], locale: str) -> None:
    for fdef in definition.fields:
        if fdef.name in errors:
            continue
        needed = fdef.required or (
            fdef.required_if is not None and _holds(fdef.required_if, clean_values))
        value = clean_values[fdef.name]
        if needed and (value is None if fdef.yes_no else _is_empty(value)):
            errors[fdef.name] = [_required_message(fdef, locale)]


_COMPARISONS = (
    ("after", lambda mine, other: mine > other),
    ("not_before", lambda mine, other: mine >= other),
    ("not_after", lambda mine, other: mine <= other),
)


def _check_comparisons(definition: FormDefinition, clean_values: dict[str, Any],
                       errors: dict[str, list[str]], locale: str) -> None:
    for fdef in definition.fields:
        for key, passes in _COMPARISONS:
            other_name = getattr(fdef, key)
            if other_name is None or fdef.name in errors or other_name in errors:
                continue
            mine, other = clean_values.get(fdef.name), clean_values.get(other_name)
            if mine is None or other is None or passes(mine, other):
                continue
            errors[fdef.name] = [message(key, locale, label=fdef.label(locale),
                                         other=definition.field(other_name).label(locale))]


def _missing_attendees(fdef: FieldDefinition, rule: Rule, chosen: list[str],
                       locale: str) -> list[str]:
    missing = [fdef.choice_label(code, locale) for code in rule.all if code not in chosen]
    for group in rule.any_of:
        if not any(code in chosen for code in group):
            missing.append(message("or", locale).join(fdef.choice_label(c, locale) for c in group))
    return missing


def _check_rule(definition: FormDefinition, rule: Rule, clean_values: dict[str, Any],
                errors: dict[str, list[str]], locale: str) -> None:
    if rule.field in errors or (rule.when is not None and not _holds(rule.when, clean_values)):
        return
    value = clean_values[rule.field]
    text = rule.message["en" if is_english(locale) else "ja"]
    if rule.check == "is_true":
        failed = value is not True
    elif rule.check == "not_empty":
        failed = _is_empty(value)
    elif rule.check == "empty":
        failed = not _is_empty(value)
    else:  # includes
        missing = _missing_attendees(definition.field(rule.field), rule, value, locale)
        failed = bool(missing)
        text = text.replace("{missing}", message("list_sep", locale).join(missing))
    if failed:
        errors.setdefault(rule.field, []).append(text)
