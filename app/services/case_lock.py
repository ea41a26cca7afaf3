"""The case row lock: every change to a case, and every append to its audit chain, holds it."""

from __future__ import annotations

from sqlalchemy.orm import undefer

from app.extensions import db
from app.models import Case

from . import audit


def lock_case(case_id: int) -> Case:
    """The case row, locked for this transaction and read fresh (with its workflow), once per transaction.

    A transaction that locked it already (e.g. in the query that loaded a posted task) gets the
    case it read then, without another query.  The audit service is told, so the case's chain
    needs no lock of its own.
    """
    if audit.holds_case_lock(case_id):
        locked = db.session.get(Case, case_id)  # read by the locking query, still in the session
        if locked is not None:
            return locked
    case = (db.session.query(Case).filter_by(id=case_id).options(undefer(Case.workflow_blob))
            .with_for_update().populate_existing().one())
    audit.case_row_locked(case_id)
    return case
