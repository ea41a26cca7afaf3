"""Firing due process timers: exactly once per due case, however many scheduler processes run.

A pass walks the due cases in id order.  Each case is claimed and fired in its own
transaction:

* PostgreSQL: one `SELECT … ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED` finds and claims the
  next due case — a case another process holds is skipped (that process fires it), one it has
  fired no longer matches — so passes on several hosts never wait for each other, never fire
  twice and never spend a statement on a case someone else has.
* SQLite has no row locks: the database's single-writer lock plus the case's version counter
  (`lock_version`) make a second, concurrent firing fail with StaleDataError and roll back.

A process killed mid-pass loses nothing: its open transaction rolls back, the row lock goes
away, and `next_timer_at` still says the case is due.  A timer whose step fails is retried
with backoff (by moving `next_timer_at`), then left as an open TimerIncident for operators;
either way the pass moves on to the next case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import undefer
from sqlalchemy.orm.exc import StaleDataError

from app.clock import now
from app.engine import EngineError
from app.extensions import db
from app.lifecycle import steps
from app.lifecycle.calendar import rules_cached
from app.models import Case, TimerIncident
from app.services.timers import notifications

# Due case ids read at a time; each is then claimed and fired in its own transaction.
CLAIM_BATCH = 100

# Seconds to wait before retry n (1-based); after the last one the incident opens.
RETRY_BACKOFF_SECONDS = (60, 300, 1800)


@dataclass
class PassResult:
    fired: int = 0
    failed: int = 0
    skipped: int = 0  # claimed elsewhere or changed under us
    incidents: list[int] = field(default_factory=list)


def fire_due_timers() -> int:
    """One pass over every due case; returns how many cases fired (`tsunagi timers run-due`, the scheduler)."""
    return run_pass().fired


def run_pass(max_cases: int | None = None) -> PassResult:
    result = PassResult()
    started = now()
    with_incident = _cases_with_active_incident()  # read once: incidents are rare
    db.session.rollback()
    postgres = db.session.get_bind().dialect.name == "postgresql"
    cursor = 0
    with rules_cached():  # rules and closed days read once per pass, not per case
        while max_cases is None or result.fired + result.failed < max_cases:
            if postgres:
                case = _claim_next(started, cursor)
                if case is None:
                    db.session.rollback()
                    break
                cursor = case.id
                _fire_claimed(case, case.id in with_incident, result)
                continue
            candidates = _due_case_ids(started, cursor)
            db.session.rollback()  # the candidate read holds nothing
            if not candidates:
                break
            for case_id in candidates:
                if max_cases is not None and result.fired + result.failed >= max_cases:
                    break
                case = _claim(case_id, started)
                if case is None:
                    db.session.rollback()  # already fired meanwhile
                    result.skipped += 1
                    continue
                _fire_claimed(case, case.id in with_incident, result)
            cursor = candidates[-1]
    return result


def _due(due_by: datetime):
    return (Case.next_timer_at.isnot(None), Case.next_timer_at <= due_by, Case.state != "closed")


# The claim, built once: SQLAlchemy keeps a statement object's cache key, so a claim per timer
# does not compile (or even build) the query again.
_CLAIM_NEXT = (
    sa.select(Case, sa.func.set_config("synchronous_commit", "off", True))
    .where(*_due(sa.bindparam("due_by")), Case.id > sa.bindparam("after_id"))
    .order_by(Case.id)
    .limit(1)
    .options(undefer(Case.workflow_blob))
    .with_for_update(skip_locked=True, of=Case)
    .execution_options(populate_existing=True)
)


def _claim_next(due_by: datetime, after_id: int) -> Case | None:
    """PostgreSQL: lock the next due case (in id order) that no other process holds.

    One statement finds and claims it, in the transaction the case's step then runs in:
    rows other passes hold are skipped (SKIP LOCKED), rows they fired no longer match.

    The same statement sets `synchronous_commit` off for this transaction only (`set_config`
    with is_local; evaluated for the claimed row): a firing is idempotent to lose, since if
    the server crashes before the commit reaches disk the case is simply still due and fires
    on the next pass; so the commit need not wait for the WAL flush.  Nothing else is relaxed.
    """
    row = db.session.execute(_CLAIM_NEXT, {"due_by": due_by, "after_id": after_id}).first()
    return row[0] if row is not None else None


def _due_case_ids(due_by: datetime, after_id: int) -> list[int]:
    """SQLite: the next batch of due case ids in id order (a plain read: claiming is per case)."""
    rows = db.session.query(Case.id).filter(*_due(due_by), Case.id > after_id).order_by(Case.id).limit(CLAIM_BATCH)
    return [case_id for (case_id,) in rows]


def _claim(case_id: int, due_by: datetime) -> Case | None:
    """SQLite: the case if it is still due (the database's write lock and `lock_version` do the rest)."""
    return (db.session.query(Case).filter(Case.id == case_id, *_due(due_by)).options(undefer(Case.workflow_blob))
            .populate_existing().first())


def _fire_claimed(case: Case, had_incident: bool, result: PassResult) -> None:
    case_id = case.id
    try:
        _fire(case, had_incident)
        db.session.commit()
        result.fired += 1
    except (StaleDataError, OperationalError):
        # SQLite: another scheduler fired it first (version mismatch, or its write lock made
        # ours fail); nothing is lost, the case is due again only if it was not fired.
        db.session.rollback()
        result.skipped += 1
    except EngineError as exc:
        db.session.rollback()
        result.failed += 1
        incident = _record_failure(case_id, exc)
        if incident is not None and incident.status == "open":
            result.incidents.append(incident.id)


def _fire(case: Case, had_incident: bool) -> None:
    step = steps.claimed(case)
    opened = step.fire_timers()
    alerting = [row for row in opened if row.bpmn_id in notifications.ALERT_ROLES_ON_OPEN]
    if alerting:
        db.session.flush()  # the alerts name the new task rows
        notifications.alert_for_new_tasks(case, alerting)
    if had_incident:
        _resolve_incident(step)
    step.write_rows()  # in one Core statement where it can


def _cases_with_active_incident() -> set[int]:
    rows = db.session.query(TimerIncident.case_id).filter(TimerIncident.status.in_(["retrying", "open"]))
    return {case_id for (case_id,) in rows}


def _active_incident(case_id: int) -> TimerIncident | None:
    return (
        db.session.query(TimerIncident)
        .filter(TimerIncident.case_id == case_id, TimerIncident.status.in_(["retrying", "open"]))
        .first()
    )


def _resolve_incident(step: steps.CaseStep) -> None:
    incident = _active_incident(step.case.id)
    if incident is not None:
        incident.status = "resolved"
        incident.resolved_at = incident.updated_at = now()
        step.record("timer_incident_resolved", incident_id=incident.id)


def _record_failure(case_id: int, exc: EngineError) -> TimerIncident | None:
    """In a new transaction: count the attempt, push the retry out or open the incident."""
    try:
        step = steps.lock(case_id, None)
        case = step.case
        incident = _active_incident(case_id)
        if incident is None:
            incident = TimerIncident(case_id=case_id, first_failed_at=now(), attempts=0)
            db.session.add(incident)
        incident.attempts += 1
        incident.element_id = exc.element_id
        incident.last_error = str(exc)[:2000]
        incident.updated_at = now()
        backoff = _backoff_seconds()
        if incident.attempts <= len(backoff):
            case.next_timer_at = now() + timedelta(seconds=backoff[incident.attempts - 1])
        else:
            incident.status = "open"
            case.next_timer_at = None  # stop retrying until an operator re-arms it
        db.session.flush()
        step.record("timer_failed", attempt=incident.attempts, element_id=exc.element_id,
                    error=str(exc)[:1000], incident_id=incident.id, incident_status=incident.status)
        if incident.status == "open":
            notifications.alert_incident(case, incident)
        db.session.commit()
        return incident
    except Exception:
        db.session.rollback()
        current_app.logger.exception("could not record the timer failure of case %s", case_id)
        return None


def _backoff_seconds() -> tuple[int, ...]:
    return tuple(current_app.config.get("TIMER_RETRY_BACKOFF_SECONDS") or RETRY_BACKOFF_SECONDS)


def retry_incident(case_id: int) -> bool:
    """An operator fixed the cause: fire this case's timers again on the next pass."""
    if _active_incident(case_id) is None or db.session.get(Case, case_id) is None:
        return False
    step = steps.lock(case_id, None)
    incident = _active_incident(case_id)
    incident.status = "retrying"
    incident.attempts = 0
    incident.updated_at = now()
    step.case.next_timer_at = now()
    step.record("timer_incident_retried", incident_id=incident.id)
    db.session.commit()
    return True


def open_incidents() -> list[TimerIncident]:
    return db.session.query(TimerIncident).filter_by(status="open").order_by(TimerIncident.id).all()
