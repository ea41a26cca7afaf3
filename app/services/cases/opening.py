"""Opening cases and reading them."""

from __future__ import annotations

from collections.abc import Callable

from app import access
from app.codes import WARDS
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.lifecycle import steps
from app.models import Case, FormSubmission, HumanTask, SupportDecision, User


def start_case(ward: str, actor: User, route: str | None = None,
               before_commit: Callable[[Case], None] | None = None) -> Case:
    """Open a new episode at intake (a walk-in); one transaction.

    `before_commit(case)` adds to that transaction (the API's Idempotency-Key answer)."""
    if ward not in WARDS:
        raise ValidationFailed({"ward": [f"区のコードが正しくありません: {ward}"]})
    if not access.can_open_case(actor, ward):
        raise Forbidden("この区で相談ケースを開く権限がありません")
    case = steps.start(ward, actor, route).case
    if before_commit is not None:
        before_commit(case)
    db.session.commit()
    return case


def get_case_for(user: User, case_id: int, options: tuple = ()) -> Case:
    """The case if the user may see it; 404 otherwise (never reveal other wards' cases).
    `options`: loader options, for a page that shows the case's relations."""
    case = db.session.get(Case, case_id, options=list(options))
    if case is None or not access.can_view_case(user, case):
        raise NotFound("相談ケースが見つかりません")
    return case


def open_tasks(case: Case) -> list[HumanTask]:
    return db.session.query(HumanTask).filter_by(case_id=case.id, status="open").order_by(HumanTask.id).all()


def submissions(case: Case) -> list[FormSubmission]:
    return db.session.query(FormSubmission).filter_by(case_id=case.id).order_by(FormSubmission.id).all()


def decision_of(case: Case, decision_id: int) -> SupportDecision | None:
    """A support decision of this case (None for another case's)."""
    decision = db.session.get(SupportDecision, decision_id)
    return decision if decision is not None and decision.case_id == case.id else None
