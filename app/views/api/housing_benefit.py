"""住居確保給付金: the benefit of a case (applications, computation, decisions, payments, duties)."""

from __future__ import annotations

from app.access import access_rule
from app.programs.housing_benefit.reads import benefit_for

from .auth import current_api_user
from .blueprint import bp


@bp.get("/cases/<int:case_id>/housing-benefit")
@access_rule("case_view")
def show_housing_benefit(case_id: int):
    return benefit_for(current_api_user(), case_id)
