"""What the service pages and API show of a case's decisions and shelter stays, for one viewer."""

from __future__ import annotations

from app.access.privacy import OWNER_BASES
from app.models import User
from app.services.cases.opening import get_case_for
from app.services.cases.reads import record_case_view
from app.services.privacy import masking

from . import child_support, decisions, household_budget, shelter

# Who reads a child's referral: the case's owner, the provider it went to, auditors.
CHILD_READER_ROLES = {"provider"}


def services_for(user: User, case_id: int) -> list[dict]:
    case = get_case_for(user, case_id)
    viewer = masking.viewer_for(user, case)
    rows = decisions.services_json(case, viewer.sees("income"))
    record_case_view(user, case, "api_services", basis=viewer.basis)
    return rows


def shelter_for(user: User, case_id: int) -> list[dict]:
    case = get_case_for(user, case_id)
    viewer = masking.viewer_for(user, case)
    rows = []
    for stay in shelter.stays(case):
        row = shelter.stay_json(stay)
        if not viewer.sees("income"):
            row["eligibility"] = {}
        rows.append(row)
    record_case_view(user, case, "api_shelter", basis=viewer.basis)
    return rows


def budget_for(user: User, case_id: int) -> dict:
    case = get_case_for(user, case_id)
    viewer = masking.viewer_for(user, case)
    answer = household_budget.budget_json(case, viewer.sees)
    record_case_view(user, case, "api_budget", basis=viewer.basis)
    return answer


def child_referrals_for(user: User, case_id: int) -> list[dict]:
    case = get_case_for(user, case_id)
    viewer = masking.viewer_for(user, case)
    allowed = viewer.basis in OWNER_BASES or viewer.basis == "auditor" or (
        viewer.basis == "task_role" and bool(user.roles & CHILD_READER_ROLES))
    record_case_view(user, case, "api_child_referrals", basis=viewer.basis)
    return child_support.referrals_json(case) if allowed else []
