"""Rules as data by effective date (interim: the baseline seed files only).

The shared rule tables (database versions over these seeds, `tsunagi rules`) replace this module;
the interface is the same: `rules_in_force(name, on)` and `household_figures(rules, size)`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SEEDS = Path(__file__).with_name("rule_seeds")


@dataclass(frozen=True)
class Rules:
    name: str
    effective_from: date
    content: dict

    @property
    def label(self) -> str:
        return f"{self.name}@{self.effective_from.isoformat()}"


def rules_in_force(name: str, on: date) -> Rules:
    seed = json.loads((SEEDS / f"{name}.json").read_text(encoding="utf-8"))
    return Rules(name, date.fromisoformat(seed["effective_from"]), seed["content"])


def household_figures(rules: Rules, size: int) -> dict:
    from app.programs.housing_benefit.computation import figures

    return figures(rules.content, size)
