"""Rule tables by effective date (stand-in until the shared loader lands: the seed files only)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

SEEDS = Path(__file__).resolve().parent / "rule_seeds"


@dataclass(frozen=True)
class Rules:
    name: str
    effective_from: date
    content: dict

    @property
    def label(self) -> str:
        return f"{self.name}@{self.effective_from.isoformat()}"


@cache
def _seed(name: str) -> Rules:
    raw = json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))
    return Rules(name, date.fromisoformat(raw["effective_from"]), raw["content"])


def rules_in_force(name: str, on: date) -> Rules:
    return _seed(name)


def household_figures(rules: Rules, size: int) -> dict:
    table = rules.content["by_household_size"]
    row = table[str(min(max(size, 1), max(int(k) for k in table)))]
    base = int(row["base_amount"])
    return {"base_amount": base, "rent_ceiling": int(row["rent_ceiling"]),
            "income_limit_max": base + int(row["rent_ceiling"]),
            "asset_limit": min(base * int(rules.content["asset_multiplier"]), int(rules.content["asset_cap"]))}
