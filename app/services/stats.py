"""Aggregates (集計): counts only, never a case, a person or a task.

``stats_viewer`` (健康福祉局) without a ward sees every ward; ward supervisors (lead_worker,
section_chief) see their own ward's figures.  Who may is ``access.can_view_stats``.
"""

from __future__ import annotations

from sqlalchemy import func

from app import access
from app.codes import CASE_STATES, WARDS
from app.errors import Forbidden
from app.extensions import db
from app.models import Case, User


def case_counts(user: User) -> dict:
    """{"wards": [...], "states": [...], "counts": {(ward, state): n}, "totals": {ward: n}}."""
    if not access.can_view_stats(user):
        raise Forbidden("集計を見る権限がありません")
    query = db.session.query(Case.ward, Case.state, func.count(Case.id)).group_by(Case.ward, Case.state)
    wards = list(WARDS)
    if user.ward is not None:
        query = query.filter(Case.ward == user.ward)
        wards = [user.ward]
    counts = {(ward, state): n for ward, state, n in query.all()}
    totals = {ward: sum(n for (w, _s), n in counts.items() if w == ward) for ward in wards}
    return {"wards": wards, "states": list(CASE_STATES), "counts": counts, "totals": totals}
