"""Who sees which monthly figures, and the cases behind a figure (for the ward's supervisors only).

``stats_viewer`` without a ward (健康福祉局) sees every ward and the city total; ward supervisors
(lead_worker, section_chief) and a ward's stats_viewer see their own ward.  Nothing here names a
case or a person except `cases_behind`, which only a supervisor of that ward may call.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app import access
from app.clock import today
from app.codes import WARDS
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import Case, StatFact, User
from app.services.cases.reads import record_case_view

from . import counting
from .counting import CITY


@dataclass(frozen=True)
class Scope:
    wards: list[str]  # the wards the user may see (in code order), CITY included for the city bureau
    city: bool

    @property
    def default_ward(self) -> str:
        return CITY if self.city else self.wards[0]


def scope_of(user: User) -> Scope:
    if not access.can_view_stats(user):
        raise Forbidden("集計を見る権限がありません")
    if user.ward is None and user.has_role("stats_viewer"):
        return Scope(list(WARDS) + [CITY], True)
    if user.ward in WARDS:
        return Scope([user.ward], False)
    raise Forbidden("集計を見る権限がありません")


def wards_asked(user: User, ward: str | None) -> list[str] | None:
    """The wards of the answer: the one asked for (if the user may see it), else all the user may see."""
    scope = scope_of(user)
    if ward in (None, ""):
        return None if scope.city else list(scope.wards)
    if ward not in WARDS and ward != CITY:
        raise ValidationFailed({"ward": [f"区コードが正しくありません: {ward}"]})
    if ward not in scope.wards:
        raise Forbidden("この区の集計を見る権限がありません")
    return [ward]


def default_range() -> tuple[str, str]:
    """From April of this fiscal year to this month."""
    month = counting.month_of(today())
    return f"{counting.fiscal_year(month):04d}-04", month


def monthly_for(user: User, ward: str | None, from_month: str | None, to_month: str | None) -> list[dict]:
    wards = wards_asked(user, ward)
    return counting.monthly_rows(wards, from_month, to_month)


# -- the cases behind a number ----------------------------------------------------------------
def can_drill_down(user: User, ward: str) -> bool:
    return access.is_supervisor_of(user, ward)


def cases_behind(user: User, ward: str, month: str, indicator: str, detail: str | None = None,
                 of_which_plan: bool = False) -> list[Case]:
    """The episodes one figure of the ward's table counts, each read recorded (``case_viewed``)."""
    if ward not in WARDS:
        raise ValidationFailed({"ward": [f"区コードが正しくありません: {ward}"]})
    counting.check_range(month, month)
    if indicator not in counting.INDICATORS:
        raise ValidationFailed({"indicator": [f"指標が正しくありません: {indicator}"]})
    if not can_drill_down(user, ward):
        raise Forbidden("この区の相談ケースの一覧は見られません")
    query = (sa.select(StatFact.case_id).where(StatFact.ward == ward, StatFact.month == month,
                                               StatFact.indicator == indicator))
    if detail:
        query = query.where(StatFact.detail == detail)
    if of_which_plan:
        query = query.where(StatFact.of_which_plan.is_(True))
    case_ids = sorted(set(db.session.execute(query).scalars()))
    cases = [case for case in (db.session.get(Case, case_id) for case_id in case_ids)
             if case is not None and access.can_view_case(user, case)]
    for case in cases:
        record_case_view(user, case, "stats_drill_down", indicator=indicator, month=month, detail=detail)
    return cases
