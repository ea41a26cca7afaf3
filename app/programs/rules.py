"""Programme figures as data, by effective date.

A programme's figures (the housing benefit's 基準額 and rent ceilings, duty counts, …) are never
constants in code: the first version ships as a data file (``rule_seeds/<name>.json``), and an
admin adds later versions with their effective date (``tsunagi rules set``), audited.  A decision
records the ``label`` of the version it used, so it can be recomputed and explained later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from app.audit_chain import record_system_event
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.models import RuleVersion, User

SEEDS = Path(__file__).with_name("rule_seeds")


@dataclass(frozen=True)
class Rules:
    name: str
    effective_from: date
    content: dict
    note: str | None = None
    version_id: int | None = None  # None: the shipped baseline

    @property
    def label(self) -> str:
        """The reference a decision records: ``housing_benefit@2023-04-01``."""
        return f"{self.name}@{self.effective_from.isoformat()}"


@cache
def _seed(name: str) -> Rules | None:
    path = SEEDS / f"{name}.json"
    if not path.is_file():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Rules(name, date.fromisoformat(raw["effective_from"]), raw["content"], raw.get("note"))


def known_names() -> list[str]:
    stored = db.session.scalars(sa.select(RuleVersion.name).distinct()).all()
    return sorted({p.stem for p in SEEDS.glob("*.json")} | set(stored))


def versions(name: str) -> list[Rules]:
    """Every version of a rule set, oldest first (the shipped baseline included)."""
    rows = db.session.scalars(sa.select(RuleVersion).where(RuleVersion.name == name)
                              .order_by(RuleVersion.effective_from)).all()
    found = [Rules(r.name, r.effective_from, r.content, r.note, r.id) for r in rows]
    seed = _seed(name)
    if seed is not None and all(v.effective_from != seed.effective_from for v in found):
        found.insert(0, seed)
        found.sort(key=lambda v: v.effective_from)
    return found


def rules_in_force(name: str, on: date) -> Rules:
    """The version of ``name`` in force on ``on``."""
    in_force = [v for v in versions(name) if v.effective_from <= on]
    if not in_force:
        raise NotFound(f"{on.isoformat()} に有効な規則 {name} がありません")
    return in_force[-1]


def household_figures(rules: Rules, size: int) -> dict:
    """基準額, rent ceiling, 収入基準額 (max) and asset limit for a household of ``size`` people.

    Households larger than the table use its largest row (the city's table stops at seven)."""
    table = rules.content["by_household_size"]
    if size < 1:
        raise ValueError("household size must be at least 1")
    key = str(min(size, max(int(k) for k in table)))
    row = table[key]
    base, ceiling = int(row["base_amount"]), int(row["rent_ceiling"])
    asset_limit = min(base * int(rules.content["asset_multiplier"]), int(rules.content["asset_cap"]))
    return {"household_size_row": int(key), "base_amount": base, "rent_ceiling": ceiling,
            "income_limit_max": base + ceiling, "asset_limit": asset_limit}


def _check(name: str, content: dict) -> None:
    """Refuse a version the programme code could not use (the shape of the shipped baseline)."""
    seed = _seed(name)
    if not isinstance(content, dict):
        raise ValidationFailed({"content": ["規則の内容は JSON オブジェクトで指定してください"]})
    if seed is None:
        return
    missing = sorted(set(seed.content) - set(content))
    if missing:
        raise ValidationFailed({"content": [f"項目が足りません: {', '.join(missing)}"]})
    if name == "housing_benefit":
        table = content["by_household_size"]
        for size, row in table.items():
            if not size.isdigit() or int(size) < 1:
                raise ValidationFailed({"by_household_size": [f"世帯人数 {size} が正しくありません"]})
            for key in ("base_amount", "rent_ceiling"):
                value = row.get(key)
                if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                    raise ValidationFailed({f"by_household_size.{size}.{key}": ["正の整数（円）で指定してください"]})
        if "1" not in table:
            raise ValidationFailed({"by_household_size": ["単身世帯（1）の行が必要です"]})


def set_rules(name: str, content: dict, effective_from: date, actor: User, note: str | None = None) -> Rules:
    """Add a version in force from ``effective_from`` (admin only; audited as ``rules_changed``)."""
    if not actor.has_role("admin"):
        raise ValidationFailed({"by": ["規則の変更はシステム管理者のみ行えます"]})
    if _seed(name) is None and name not in known_names():
        raise NotFound(f"規則 {name} はありません")
    _check(name, content)
    exists = db.session.scalar(sa.select(RuleVersion.id).where(RuleVersion.name == name,
                                                               RuleVersion.effective_from == effective_from))
    if exists is not None:
        raise ValidationFailed({"effective": [f"{effective_from.isoformat()} から有効な版は既にあります"]})
    row = RuleVersion(name=name, effective_from=effective_from, content=content, note=note, created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    previous = [v for v in versions(name) if v.effective_from < effective_from]
    record_system_event("rules_changed", actor.id, name=name, effective_from=effective_from.isoformat(),
                        version_id=row.id, note=note, content=content,
                        replaces=previous[-1].label if previous else None)
    return Rules(name, effective_from, content, note, row.id)
