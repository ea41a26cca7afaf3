"""The counting rules of the monthly report (支援状況調査), in one place, from records only.

- 新規相談: a consultation counts in the month of its intake (受付日 on the intake form), never
  of a referral slip or a support meeting; a re-consultation counts again and is flagged.
- プラン作成: a plan counts once, in the month of the episode's first approval (支援決定) at a
  coordination meeting; later approvals (re-plans) never count.  就労支援対象者: those first plans
  that name employment support.
- 就労者・増収者: each `record_outcome` counts once, in the month it happened, under its own kind;
  "of which" = the case held an approved employment-support plan on that day.
- 生活保護へのつなぎ: each hand-off record, in the month it was handed over (Japan time).
- 終結: each closure, by reason, in the month closed.
- 住居確保給付金: see `housing_benefit_facts`.

Each counted event is a `Fact`.  `derive_facts` computes them from the records; the stored copy
(`stat_facts`) is kept equal to it in the transaction of each step (see `facts.py`), the pages
aggregate the stored copy, and `tsunagi stats verify` recomputes and compares.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import sqlalchemy as sa

from app.clock import JST
from app.codes import WARDS
from app.errors import ValidationFailed
from app.extensions import db
from app.models import Case, Closure, CoordinationMeeting, FormSubmission, Outcome, PlanVersion, StatFact

CITY = "city"
OUTCOME_KINDS = ("employed", "income_increased")
# Indicator codes of the stored facts (the row keys they feed are in `_ROW_KEYS`).
NEW_CONSULTATION = "new_consultation"
RECONSULTATION = "reconsultation"
PLAN = "plan"
EMPLOYMENT_SUPPORT_TARGET = "employment_support_target"
PA_REFERRAL = "pa_referral"
CLOSURE = "closure"
HB_INDICATORS = ("hb_grant", "hb_refusal", "hb_extension", "hb_stop")
INDICATORS = (NEW_CONSULTATION, RECONSULTATION, PLAN, EMPLOYMENT_SUPPORT_TARGET, *OUTCOME_KINDS, PA_REFERRAL,
              CLOSURE, *HB_INDICATORS)
_ROW_KEYS = {NEW_CONSULTATION: "new_consultations", RECONSULTATION: "reconsultations", PLAN: "plans",
             EMPLOYMENT_SUPPORT_TARGET: "employment_support_targets", "employed": "employed",
             "income_increased": "income_increased", PA_REFERRAL: "pa_referrals", "hb_grant": "hb_grants",
             "hb_refusal": "hb_refusals", "hb_extension": "hb_extensions", "hb_stop": "hb_stops"}
PER_100K = ("new_consultations", "plans", "employment_support_targets")
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class Fact(NamedTuple):
    case_id: int
    ward: str
    month: str
    indicator: str
    detail: str | None
    of_which_plan: bool
    source: str


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def fiscal_year(month: str) -> int:
    """Japanese fiscal years start in April: 2028-03 is FY2027."""
    year, mon = int(month[:4]), int(month[5:])
    return year if mon >= 4 else year - 1


def months_between(from_month: str, to_month: str) -> list[str]:
    year, mon = int(from_month[:4]), int(from_month[5:])
    months = []
    while f"{year:04d}-{mon:02d}" <= to_month:
        months.append(f"{year:04d}-{mon:02d}")
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return months


def check_range(from_month: str | None, to_month: str | None, limit: int = 60) -> list[str]:
    """The months from..to; a bad month or range is a field error."""
    errors: dict[str, list[str]] = {}
    for name, value in (("from", from_month), ("to", to_month)):
        if not isinstance(value, str) or not MONTH.match(value):
            errors[name] = ["年月は YYYY-MM で指定してください"]
        elif not 2000 <= int(value[:4]) <= 2099:
            errors[name] = ["年月は2000年から2099年の間で指定してください"]
    if errors:
        raise ValidationFailed(errors)
    if from_month > to_month:
        raise ValidationFailed({"to": ["終了月は開始月以降にしてください"]})
    months = months_between(from_month, to_month)
    if len(months) > limit:
        raise ValidationFailed({"to": [f"期間は{limit}か月以内にしてください"]})
    return months


# -- the rules: records → facts ----------------------------------------------------------------
def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _jst_day(value) -> date | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(JST).date()


def _in(column, case_ids):
    return sa.true() if case_ids is None else column.in_(list(case_ids))


def derive_facts(case_ids=None, connection=None) -> list[Fact]:
    """Every counted event of the given cases (all cases when None), computed from the records.

    `connection`: read through it (the flush listener reads on the flushing session's connection).
    """
    session = connection if connection is not None else db.session
    cases = {row.id: row for row in session.execute(
        sa.select(Case.id, Case.ward, Case.reconsultation).where(_in(Case.id, case_ids)))}
    facts: list[Fact] = []

    def add(case_id, day, indicator, source, detail=None, of_which_plan=False):
        case = cases.get(case_id)
        if case is not None and day is not None:
            facts.append(Fact(case_id, case.ward, month_of(day), indicator, detail, bool(of_which_plan), source))

    # 新規相談: the first intake record of each episode.
    seen: set[int] = set()
    for row in session.execute(
            sa.select(FormSubmission.id, FormSubmission.case_id, FormSubmission.data)
            .where(FormSubmission.form_key == "intake", _in(FormSubmission.case_id, case_ids))
            .order_by(FormSubmission.id)):
        if row.case_id in seen:
            continue
        seen.add(row.case_id)
        data = row.data or {}
        day = _day(data.get("received_on"))
        add(row.case_id, day, NEW_CONSULTATION, f"submission:{row.id}", detail=data.get("route") or "other")
        if cases.get(row.case_id) is not None and cases[row.case_id].reconsultation:
            add(row.case_id, day, RECONSULTATION, f"submission:{row.id}")

    # プラン: the first approval of each episode; re-plans never count.
    approvals: dict[int, list] = defaultdict(list)
    for row in session.execute(
            sa.select(CoordinationMeeting.id, CoordinationMeeting.case_id, CoordinationMeeting.held_on,
                      PlanVersion.employment_support_target)
            .join(PlanVersion, PlanVersion.id == CoordinationMeeting.plan_version_id)
            .where(CoordinationMeeting.decision == "approve", _in(CoordinationMeeting.case_id, case_ids))
            .order_by(CoordinationMeeting.held_on, CoordinationMeeting.id)):
        approvals[row.case_id].append(row)
    for case_id, rows in approvals.items():
        first = rows[0]
        add(case_id, first.held_on, PLAN, f"meeting:{first.id}")
        if first.employment_support_target:
            add(case_id, first.held_on, EMPLOYMENT_SUPPORT_TARGET, f"meeting:{first.id}")

    # 就労・増収: once each, in the month it happened, under its own kind.
    for row in session.execute(
            sa.select(Outcome.id, Outcome.case_id, Outcome.kind, Outcome.on, Outcome.permanent)
            .where(_in(Outcome.case_id, case_ids))):
        if row.kind not in OUTCOME_KINDS:
            continue
        holder = any(a.employment_support_target and a.held_on <= row.on for a in approvals.get(row.case_id, ()))
        add(row.case_id, row.on, row.kind, f"outcome:{row.id}",
            detail="permanent" if row.permanent else None, of_which_plan=holder)

    # 生活保護へのつなぎ: each hand-off record, on the day it was handed over.
    for row in session.execute(
            sa.select(FormSubmission.id, FormSubmission.case_id, FormSubmission.data, FormSubmission.submitted_at)
            .where(FormSubmission.form_key == "pa_handoff", _in(FormSubmission.case_id, case_ids))):
        day = _jst_day((row.data or {}).get("handed_over_at")) or _jst_day(row.submitted_at)
        add(row.case_id, day, PA_REFERRAL, f"submission:{row.id}")

    # 終結: each closure by reason, in the month closed (a follow-up task does not add one).
    for row in session.execute(
            sa.select(Closure.id, Closure.case_id, Closure.closed_on, Closure.reason)
            .where(_in(Closure.case_id, case_ids))):
        add(row.case_id, row.closed_on, CLOSURE, f"closure:{row.id}", detail=row.reason)

    for fact in housing_benefit_facts(case_ids, session):
        if fact.case_id in cases:
            facts.append(fact)
    return facts


def housing_benefit_facts(case_ids, session) -> list[Fact]:
    """住居確保給付金 grants, refusals, extensions and stops (indicators `HB_INDICATORS`).

    The housing-benefit programme has no records in this tree yet, so nothing is counted: this is
    the one place to derive its facts (one per decision, in the month decided) once its models exist.
    """
    return []


# Records whose change can move a count: the stored facts of their case are recomputed.
COUNTED_FORMS = frozenset({"intake", "pa_handoff"})
COUNTED_MODELS = (CoordinationMeeting, PlanVersion, Outcome, Closure)


# -- facts → the monthly table -----------------------------------------------------------------
def _per_100k(count: int, population: int | None) -> float | None:
    if not population:
        return None
    value = (Decimal(count) * 100000 / Decimal(population)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def targets_by_year() -> dict[int, dict]:
    from app.models import StatTarget
    from app.models.statistics import INITIAL_TARGETS

    table = {row["fiscal_year"]: {key: float(row[key]) for key in PER_100K} for row in INITIAL_TARGETS}
    for row in db.session.query(StatTarget).all():
        table[row.fiscal_year] = {key: float(getattr(row, key)) for key in PER_100K}
    return table


def targets_for(month: str, table: dict[int, dict]) -> tuple[int | None, dict]:
    """The 目安値 in force in a month: its fiscal year's, or the latest earlier year's."""
    years = [year for year in table if year <= fiscal_year(month)]
    if not years:
        return None, dict.fromkeys(PER_100K)
    year = max(years)
    return year, dict(table[year])


def populations() -> dict[str, list[tuple[date, int]]]:
    from app.models import WardPopulation

    found: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for row in db.session.query(WardPopulation).order_by(WardPopulation.as_of).all():
        found[row.ward].append((row.as_of, row.population))
    return found


def population_in_force(ward: str, month: str, table: dict[str, list[tuple[date, int]]]) -> int | None:
    """The population on the latest base date on or before the month's first day.

    The city's is its own figure when set, else the sum of the 18 wards' (when every ward has one).
    """
    first_day = date(int(month[:4]), int(month[5:]), 1)
    entries = [population for as_of, population in table.get(ward, ()) if as_of <= first_day]
    if entries:
        return entries[-1]
    if ward == CITY:
        parts = [population_in_force(w, month, table) for w in WARDS]
        return sum(parts) if all(parts) else None
    return None


def aggregate(wards: list[str] | None, months: list[str]) -> dict:
    """{(ward, month): {(indicator, detail, of_which_plan): n}} from the stored facts."""
    query = (sa.select(StatFact.ward, StatFact.month, StatFact.indicator, StatFact.detail, StatFact.of_which_plan,
                       sa.func.count())
             .where(StatFact.month >= months[0], StatFact.month <= months[-1])
             .group_by(StatFact.ward, StatFact.month, StatFact.indicator, StatFact.detail, StatFact.of_which_plan))
    if wards is not None:
        query = query.where(StatFact.ward.in_(wards))
    counts: dict = defaultdict(lambda: defaultdict(int))
    for ward, month, indicator, detail, of_which_plan, n in db.session.execute(query):
        counts[(ward, month)][(indicator, detail, bool(of_which_plan))] += n
    return counts


def aggregate_facts(facts, months: list[str]) -> dict:
    """The same aggregate as `aggregate`, over facts in memory (the recount `verify` compares)."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    wanted = set(months)
    for fact in facts:
        if fact.month in wanted:
            counts[(fact.ward, fact.month)][(fact.indicator, fact.detail, fact.of_which_plan)] += 1
    return counts


def row_for(ward: str, month: str, counted: dict, population: int | None, target_year: int | None,
            targets: dict) -> dict:
    """One row of the monthly table (the contract's keys, plus routes and re-consultations)."""
    row: dict = {"ward": ward, "month": month, "fiscal_year": fiscal_year(month)}
    for key in _ROW_KEYS.values():
        row[key] = 0
    row["employed_of_which_plan"] = 0
    row["income_increased_of_which_plan"] = 0
    closures: dict[str, int] = {}
    routes: dict[str, int] = {}
    for (indicator, detail, of_which_plan), n in sorted(counted.items(), key=lambda kv: tuple(map(str, kv[0]))):
        key = _ROW_KEYS.get(indicator)
        if key is not None:
            row[key] += n
        if indicator in OUTCOME_KINDS and of_which_plan:
            row[f"{indicator}_of_which_plan"] += n
        if indicator == CLOSURE:
            closures[detail or "other"] = closures.get(detail or "other", 0) + n
        if indicator == NEW_CONSULTATION:
            routes[detail or "other"] = routes.get(detail or "other", 0) + n
    row["closures_by_reason"] = closures
    row["routes"] = routes
    row["population"] = population
    row["per_100k"] = {key: _per_100k(row[key], population) for key in PER_100K}
    row["targets"] = targets
    row["target_fiscal_year"] = target_year
    return row


def monthly_rows(wards: list[str] | None, from_month: str, to_month: str) -> list[dict]:
    """The monthly table: a row per ward and month (without wards: every ward, then the city total).

    Counts come from the stored facts; per-100k figures are each month's count over the population
    in force that month; targets are the fiscal year's 目安値.
    """
    months = check_range(from_month, to_month)
    queried = None if wards is None or CITY in wards else wards
    return rows_from_counts(wards, months, aggregate(queried, months))


def rows_from_counts(wards: list[str] | None, months: list[str], counts: dict) -> list[dict]:
    unknown = [ward for ward in (wards or []) if ward not in WARDS and ward != CITY]
    if unknown:
        raise ValidationFailed({"ward": [f"区コードが正しくありません: {', '.join(unknown)}"]})
    shown = list(WARDS) + [CITY] if wards is None else list(wards)
    people, goals = populations(), targets_by_year()
    rows = []
    for ward in shown:
        for month in months:
            if ward == CITY:
                counted: dict = defaultdict(int)
                for w in WARDS:
                    for key, n in counts.get((w, month), {}).items():
                        counted[key] += n
            else:
                counted = counts.get((ward, month), {})
            year, targets = targets_for(month, goals)
            rows.append(row_for(ward, month, counted, population_in_force(ward, month, people), year, targets))
    return rows
