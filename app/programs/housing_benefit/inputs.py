"""Validating the benefit's forms: the form definition for the plain fields, and the household's
income rows (a repeatable group the form definitions have no type for) checked here."""

from __future__ import annotations

from app.errors import ValidationFailed
from app.forms import validate_data
from app.lifecycle.versions import form_definition
from app.models import ProcessVersion

from .computation import INCOME_KINDS

MAX_ROWS = 20
MAX_YEN = 99_999_999


def validated(version: ProcessVersion, form_key: str, raw: dict, with_incomes: bool = False) -> tuple[dict, int]:
    """The clean data (with `incomes` when the form has them) and the form's version; 422 naming each field."""
    raw = dict(raw or {}) if isinstance(raw, dict) else raw
    incomes_raw = raw.pop("incomes", []) if with_incomes and isinstance(raw, dict) else None
    definition = form_definition(version, form_key)
    result = validate_data(definition, raw)
    errors = dict(result.errors or {})
    incomes = []
    if with_incomes:
        incomes, income_errors = validated_incomes(incomes_raw)
        errors.update(income_errors)
    if errors:
        raise ValidationFailed(errors)
    clean = dict(result.clean)
    if with_incomes:
        clean["incomes"] = incomes
    return clean, definition.version


def _amount(value, field: str, errors: dict, label: str) -> int:
    if value in (None, ""):
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors[field] = [f"{label}は整数（円）で入力してください"]
        return 0
    try:
        amount = int(str(value).replace(",", ""))
    except ValueError:
        errors[field] = [f"{label}は整数（円）で入力してください"]
        return 0
    if amount < 0 or amount > MAX_YEN:
        errors[field] = [f"{label}は0円以上{MAX_YEN:,}円以下で入力してください"]
    return amount


def validated_incomes(raw) -> tuple[list[dict], dict[str, list[str]]]:
    """Rows of {member, kind, gross, commuting_allowance}; each error names `incomes[i].field`."""
    errors: dict[str, list[str]] = {}
    if raw in (None, ""):
        return [], errors
    if not isinstance(raw, list) or len(raw) > MAX_ROWS:
        return [], {"incomes": [f"収入は{MAX_ROWS}行以内の一覧で指定してください"]}
    rows = []
    for index, row in enumerate(raw):
        where = f"incomes[{index}]"
        if not isinstance(row, dict):
            errors[where] = ["収入の行は member, kind, gross, commuting_allowance で指定してください"]
            continue
        unknown = set(row) - {"member", "kind", "gross", "commuting_allowance"}
        for name in sorted(unknown):
            errors[f"{where}.{name}"] = [f"{name} という項目はありません"]
        kind = row.get("kind")
        if kind not in INCOME_KINDS:
            errors[f"{where}.kind"] = ["収入の種類を選んでください（給与・事業収入・年金・公的給付・その他）"]
        member = row.get("member")
        if member is not None and (not isinstance(member, str) or len(member) > 100):
            errors[f"{where}.member"] = ["世帯員は100文字以内の文字列で入力してください"]
        gross = _amount(row.get("gross"), f"{where}.gross", errors, "収入額")
        commuting = _amount(row.get("commuting_allowance"), f"{where}.commuting_allowance", errors, "通勤手当")
        rows.append({"member": (member or "").strip() or "本人", "kind": kind, "gross": gross,
                     "commuting_allowance": commuting})
    return rows, errors
