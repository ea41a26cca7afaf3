"""What the statistics page shows: the wards' totals over the range, one ward's monthly table, its charts."""

from __future__ import annotations

from app.codes import CLOSURE_REASONS, ROUTES, label
from app.errors import ValidationFailed
from app.models import User

from . import charts, counting, reports
from .counting import CITY
from .exports import ward_name

TREND_INDICATORS = (
    ("new_consultations", "新規相談受付（人口10万人当たり）"),
    ("plans", "プラン作成（人口10万人当たり）"),
    ("employment_support_targets", "就労支援対象者（人口10万人当たり）"),
)
SUMMED = ("new_consultations", "reconsultations", "plans", "employment_support_targets", "employed",
          "employed_of_which_plan", "income_increased", "income_increased_of_which_plan", "pa_referrals",
          "hb_grants", "hb_refusals", "hb_extensions", "hb_stops")


def page(user: User, ward: str | None, from_month: str | None, to_month: str | None) -> dict:
    scope = reports.scope_of(user)
    default_from, default_to = reports.default_range()
    errors: dict[str, list[str]] = {}
    from_month, to_month = from_month or default_from, to_month or default_to
    try:
        counting.check_range(from_month, to_month)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        from_month, to_month = default_from, default_to
    selected = ward or scope.default_ward
    if selected not in scope.wards:
        errors["ward"] = ["この区の集計は表示できません"]
        selected = scope.default_ward
    rows = counting.monthly_rows(None if scope.city else scope.wards, from_month, to_month)
    by_ward: dict[str, list[dict]] = {}
    for row in rows:
        by_ward.setdefault(row["ward"], []).append(row)
    detail = by_ward.get(selected, [])
    return {
        "scope": scope, "errors": errors, "from_month": from_month, "to_month": to_month, "ward": selected,
        "ward_name": ward_name(selected), "wards": [(w, ward_name(w)) for w in scope.wards],
        "summary": [summary(w, by_ward.get(w, [])) for w in scope.wards],
        "rows": detail, "closure_reasons": list(CLOSURE_REASONS),
        "drill_down": selected != CITY and reports.can_drill_down(user, selected),
        "charts": chart_set(selected, detail),
    }


def summary(ward: str, rows: list[dict]) -> dict:
    """A ward's figures over the range, and its monthly average per 100,000 (months with a population)."""
    totals = {key: sum(row[key] for row in rows) for key in SUMMED}
    totals["closures"] = sum(sum(row["closures_by_reason"].values()) for row in rows)
    averages = {}
    for key in counting.PER_100K:
        known = [row["per_100k"][key] for row in rows if row["per_100k"][key] is not None]
        averages[key] = round(sum(known) / len(known), 1) if known else None
    return {"ward": ward, "name": ward_name(ward), "totals": totals, "average_per_100k": averages,
            "targets": rows[-1]["targets"] if rows else {}}


def chart_set(ward: str, rows: list[dict]) -> list:
    months = [row["month"] for row in rows]
    found = []
    for key, title in TREND_INDICATORS:
        found.append(charts.trend(f"trend-{key}", title, months, [row["per_100k"][key] for row in rows],
                                  [row["targets"][key] for row in rows], "実績", "目安値"))
    routes: dict[str, int] = {}
    closures: dict[str, int] = {}
    for row in rows:
        for code, n in row["routes"].items():
            routes[code] = routes.get(code, 0) + n
        for code, n in row["closures_by_reason"].items():
            closures[code] = closures.get(code, 0) + n
    found.append(charts.bars("routes", "新規相談の相談経路", [(label(ROUTES, c), routes.get(c, 0)) for c in ROUTES]))
    found.append(charts.bars("closures", "終結の理由", [(label(CLOSURE_REASONS, c), closures.get(c, 0))
                                                      for c in CLOSURE_REASONS]))
    return found
