"""What the service pages and API show of a case's decisions and shelter stays, for one viewer."""

from __future__ import annotations

from app.access.flags import is_protected
from app.models import User
from app.services.cases.opening import get_case_for
from app.services.cases.reads import record_case_view
from app.services.privacy import masking

from . import decisions, shelter


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


def protection_banner(case) -> bool:
    return is_protected(case)
