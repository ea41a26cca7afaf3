"""The standard income and asset test (施行規則第4条・第6条) from the housing benefit's rule table.

Income limit = 基準額 + 住宅扶助相当額 (the rent ceiling) for the household size; asset limit =
基準額 × 6 — capped (¥1M) for the shelter, uncapped for work readiness (art. 4 has no cap).
"""

from __future__ import annotations

from datetime import date

from app.extensions import db
from app.models import Case, FormSubmission

from .rules import household_figures, rules_in_force

TESTED_SERVICES = ("work_readiness", "temporary_shelter")
CAPPED_ASSETS = {"temporary_shelter"}


def standard_test(service: str, on: date, *, income: int | None, assets: int | None, size: int | None) -> dict:
    """The figures of the test and whether it passed (``passed`` None: the figures are not known)."""
    rules = rules_in_force("housing_benefit", on)
    row = household_figures(rules, int(size or 1))
    if service in CAPPED_ASSETS:
        asset_limit = int(row["asset_limit"])
    else:
        asset_limit = int(row["base_amount"]) * int(rules.content["asset_multiplier"])
    income_limit = int(row["base_amount"]) + int(row["rent_ceiling"])
    known = income is not None and assets is not None
    income_ok = income is not None and income <= income_limit
    assets_ok = assets is not None and assets <= asset_limit
    return {
        "rules": rules.label, "household_size": int(size or 1), "income": income, "assets": assets,
        "base_amount": int(row["base_amount"]), "rent_ceiling": int(row["rent_ceiling"]),
        "income_limit": income_limit, "asset_limit": asset_limit,
        "income_ok": income_ok if income is not None else None, "assets_ok": assets_ok if assets is not None else None,
        "passed": (income_ok and assets_ok) if known else None,
    }


def assessment_figures(case: Case) -> dict:
    """Household size, monthly income and assets of the case's latest assessment (empty when none)."""
    submission = (db.session.query(FormSubmission).filter_by(case_id=case.id, form_key="assessment")
                  .order_by(FormSubmission.id.desc()).first())
    data = submission.data if submission is not None else {}
    return {"size": data.get("household_size"), "income": data.get("monthly_income"), "assets": data.get("assets")}


def failure_text(figures: dict) -> str:
    """The failed test in words, with its figures (for the 422 and the record)."""
    parts = []
    if figures.get("passed") is None:
        return "アセスメントで世帯人数・月収・資産が記録されていないため、収入・資産要件を確認できません"
    if not figures["income_ok"]:
        parts.append(f"収入 {figures['income']:,}円 が基準（基準額 {figures['base_amount']:,}円＋住宅扶助相当額 "
                     f"{figures['rent_ceiling']:,}円＝{figures['income_limit']:,}円）を超えています")
    if not figures["assets_ok"]:
        parts.append(f"資産 {figures['assets']:,}円 が基準（{figures['asset_limit']:,}円）を超えています")
    return "、".join(parts)
