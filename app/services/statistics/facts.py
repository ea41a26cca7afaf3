"""The stored facts follow the records in the same transaction, whichever step wrote them.

A listener on every session's flush collects the cases whose counted records were added or
changed and rewrites their facts from `counting.derive_facts` before the transaction commits, so
no writer (task, action, timer, migration of a case) has to remember the statistics.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Case, FormSubmission, StatFact

from . import counting


def touched_cases(session: Session) -> set[int]:
    found: set[int] = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, FormSubmission):
            if obj.form_key in counting.COUNTED_FORMS and obj.case_id is not None:
                found.add(obj.case_id)
        elif isinstance(obj, counting.COUNTED_MODELS) and getattr(obj, "case_id", None) is not None:
            found.add(obj.case_id)
        elif isinstance(obj, Case) and obj.id is not None and sa.inspect(obj).attrs.ward.history.has_changes():
            found.add(obj.id)  # a case moved to another ward: its figures move with it
    return found


def refresh(case_ids, session: Session | None = None) -> None:
    """Rewrite the stored facts of these cases from their records (inside the caller's transaction)."""
    case_ids = sorted(set(case_ids))
    if not case_ids:
        return
    connection = (session or db.session).connection()
    facts = counting.derive_facts(case_ids, connection)
    table = StatFact.__table__
    connection.execute(sa.delete(table).where(table.c.case_id.in_(case_ids)))
    if facts:
        connection.execute(sa.insert(table), [fact._asdict() for fact in facts])


def rebuild(batch: int = 5000) -> int:
    """Recompute every stored fact from the records (after a bulk load); returns how many."""
    connection = db.session.connection()
    table = StatFact.__table__
    facts = counting.derive_facts(None, connection)
    connection.execute(sa.delete(table))
    rows = [fact._asdict() for fact in facts]
    for start in range(0, len(rows), batch):
        connection.execute(sa.insert(table), rows[start:start + batch])
    return len(rows)


def _after_flush(session: Session, flush_context) -> None:
    case_ids = touched_cases(session)
    if case_ids:
        refresh(case_ids, session)


def install() -> None:
    """Listen on every session (idempotent: create_app may run many times in one process)."""
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
