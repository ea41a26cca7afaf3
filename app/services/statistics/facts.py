"""The stored facts follow the records in the same transaction, whichever step wrote them.

A listener on every session's flush collects the cases whose counted records were added or
changed (in a column the counting reads), and a listener on the commit rewrites their facts from
`counting.derive_facts` once, just before the transaction commits, so no writer (task, action,
timer, migration of a case) has to remember the statistics and a step that flushes several times
derives them only once.
"""

from __future__ import annotations

from threading import Lock
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.lifecycle import step_rows
from app.models import Case, Closure, CoordinationMeeting, FormSubmission, HbDecision, Outcome, PlanVersion, StatFact

from . import counting

# The columns `counting.derive_facts` reads from each record: a change elsewhere (a plan frozen,
# a meeting's attendees, a task's state on the case row) cannot move a count.
_COUNTED_COLUMNS = {
    FormSubmission: ("case_id", "form_key", "data", "submitted_at"),
    CoordinationMeeting: ("case_id", "plan_version_id", "held_on", "decision"),
    PlanVersion: ("employment_support_target",),
    Outcome: ("case_id", "kind", "on", "permanent"),
    Closure: ("case_id", "closed_on", "reason"),
    HbDecision: ("case_id", "kind", "decided_on", "reason_code"),
    Case: ("ward", "reconsultation"),
}
# The cases whose facts a transaction must rewrite before it commits, by its root transaction:
# gone with the transaction object, whether it committed or rolled back.
_pending: WeakKeyDictionary = WeakKeyDictionary()
_pending_lock = Lock()


def _counted_when_added(obj) -> bool:
    """Whether a new row can add a fact by itself.

    A new plan version cannot: only an approving meeting counts it, and that meeting is new (or
    changed) itself.  A new case has no records yet; a meeting other than an approval adds nothing.
    """
    if isinstance(obj, FormSubmission):
        return obj.form_key in counting.COUNTED_FORMS
    if isinstance(obj, CoordinationMeeting):
        return obj.decision == "approve"
    return not isinstance(obj, (PlanVersion, Case))


def _case_ids(obj, columns: tuple[str, ...] | None = None) -> set[int]:
    """The case (or, for a record moved between cases, both cases) the object's facts belong to."""
    if isinstance(obj, Case):
        return {obj.id} if obj.id is not None else set()
    if isinstance(obj, PlanVersion):
        return {obj.case_id} if obj.case_id is not None else set()
    found = {obj.case_id} if obj.case_id is not None else set()
    if columns is not None and "case_id" in columns:
        found.update(v for v in sa.inspect(obj).attrs.case_id.history.deleted if v is not None)
    return found


def _changed(obj, columns: tuple[str, ...]) -> tuple[str, ...]:
    attrs = sa.inspect(obj).attrs
    return tuple(name for name in columns if attrs[name].history.has_changes())


def touched_cases(session: Session) -> set[int]:
    """Cases whose counted records this flush adds, changes in a counted column, or deletes."""
    found: set[int] = set()
    for obj in session.new:
        if type(obj) in _COUNTED_COLUMNS and _counted_when_added(obj):
            found |= _case_ids(obj)
    for obj in session.dirty:
        columns = _COUNTED_COLUMNS.get(type(obj))
        if columns is None:
            continue
        changed = _changed(obj, columns)
        if not changed:
            continue
        if isinstance(obj, FormSubmission) and "form_key" not in changed \
                and obj.form_key not in counting.COUNTED_FORMS:
            continue
        found |= _case_ids(obj, changed)
    for obj in session.deleted:  # a deleted case itself is left alone, as before
        if type(obj) in _COUNTED_COLUMNS and not isinstance(obj, Case) and (
                not isinstance(obj, FormSubmission) or obj.form_key in counting.COUNTED_FORMS):
            found |= _case_ids(obj)
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
    transaction = session.get_transaction()
    if case_ids and transaction is not None:
        with _pending_lock:
            _pending.setdefault(transaction, set()).update(case_ids)


def _rows_written(session: Session) -> None:
    """Rows a step writes without the flush are followed as a flush's are."""
    _after_flush(session, None)


def _before_commit(session: Session) -> None:
    """Flush what is left (its cases join the pending ones), then rewrite their facts once.

    Also on a savepoint's commit: the facts inside it then match its records too."""
    session.flush()  # nothing to do when the session is clean
    transaction = session.get_transaction()
    with _pending_lock:
        case_ids = _pending.pop(transaction, None) if transaction is not None else None
    if case_ids:
        refresh(case_ids, session)


def _after_transaction_end(session: Session, transaction) -> None:
    # A rolled-back transaction's cases are forgotten with it (a committed one has none left).
    # A savepoint's end leaves them: the enclosing transaction still holds their records or
    # rewrites facts that did not change, which is harmless.
    if transaction.parent is None:
        with _pending_lock:
            _pending.pop(transaction, None)


_LISTENERS = (("after_flush", _after_flush), ("before_commit", _before_commit),
              ("after_transaction_end", _after_transaction_end))


def install() -> None:
    """Listen on every session (idempotent: create_app may run many times in one process)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    step_rows.on_rows_written(_rows_written)
