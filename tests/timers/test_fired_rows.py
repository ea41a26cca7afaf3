"""A fired timer's rows written by Core statements are the rows the ORM's flush writes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from freezegun import freeze_time

from app.extensions import db
from app.lifecycle import step_rows
from app.models import AuditEvent, HumanTask, Notification, TimerIncident
from app.services.audit.chain import verify
from app.services.timers.firing import run_pass
from tests.conftest import DB_KIND
from tests.helpers import case_of, core_writes_only_for, statements_sent


def _task_rows(case_id: int) -> list[dict]:
    rows = db.session.query(HumanTask).filter_by(case_id=case_id).order_by(HumanTask.id)
    return [{c: getattr(row, c) for c in ("bpmn_id", "name", "form_key", "role", "ward", "case_state",
                                         "instance_item", "assignee_id", "status", "due_on", "due_at", "prefill")}
            for row in rows]


def _without_ids(data: dict) -> dict:
    return {key: value for key, value in data.items() if key not in ("task_id", "consent_id")}


def _fired_events(case_id: int) -> list[tuple]:
    rows = db.session.query(AuditEvent).filter_by(case_id=case_id).order_by(AuditEvent.id).all()
    fired = next(i for i, row in enumerate(rows) if row.event_type == "timer_fired")
    return [(row.event_type, row.actor_id, _without_ids(row.data)) for row in rows[fired:]]


def _notifications(case_id: int) -> list[tuple]:
    rows = db.session.query(Notification).filter_by(case_id=case_id).order_by(Notification.id)
    return [(row.user_id, row.kind, _without_ids(row.params)) for row in rows]


PLAN_FROM, PLAN_TO = date(2026, 10, 1), date(2026, 11, 20)
BUILT_AT = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # the plan-end timer waits
DUE_AT = datetime(2026, 11, 21, 0, 1, tzinfo=UTC)  # 09:01 JST the day after plan_to


def test_core_rows_equal_the_flushed_rows(app, case_in_support, clock, monkeypatch):
    clock.current = BUILT_AT
    by_core, by_flush = case_in_support(PLAN_FROM, PLAN_TO), case_in_support(PLAN_FROM, PLAN_TO)
    versions = {case_id: case_of(case_id).lock_version for case_id in (by_core, by_flush)}
    written_by_core = core_writes_only_for(monkeypatch, by_core)
    clock.current = DUE_AT
    with statements_sent() as sent, freeze_time(clock.current):
        assert run_pass().fired == 2
    statements = [statement.lstrip().split(None, 1)[0].upper() for statement in sent]
    assert written_by_core == [True]
    db.session.expire_all()
    for case_id in (by_core, by_flush):
        case = case_of(case_id)
        assert case.state == "evaluation" and case.next_timer_at is None
        assert case.lock_version == versions[case_id] + 1
        report = verify(case_id)
        assert report.ok, report
    assert _task_rows(by_core) == _task_rows(by_flush)
    assert _fired_events(by_core) == _fired_events(by_flush)
    assert {"timer_fired", "task_cancelled", "case_state_changed"} <= {e[0] for e in _fired_events(by_core)}
    assert _notifications(by_core) == _notifications(by_flush) and _notifications(by_core)
    if DB_KIND == "postgresql":  # there all of one case's rows go in one statement
        assert statements.count("WITH") == 1, statements


def test_a_step_writing_more_than_its_rows_is_left_to_the_flush(app, case_in_support, clock):
    """Anything it cannot write (here a deletion) and the step's rows go out with the ORM's flush."""
    from app.lifecycle import steps

    clock.current = BUILT_AT
    case_id = case_in_support(PLAN_FROM, PLAN_TO)
    db.session.add(TimerIncident(case_id=case_id, status="resolved"))
    db.session.commit()
    clock.current = DUE_AT
    with freeze_time(clock.current):
        step = steps.lock(case_id, None)
        with db.session.no_autoflush:
            step.fire_timers()
            db.session.delete(db.session.query(TimerIncident).filter_by(case_id=case_id).one())
            assert step_rows.write(step) is False
        db.session.commit()
    assert case_of(case_id).state == "evaluation"
    assert db.session.query(TimerIncident).filter_by(case_id=case_id).count() == 0
    assert verify(case_id).ok


def test_a_case_changed_meanwhile_fails_the_version_check_and_writes_nothing(app, case_in_support, clock):
    """The flush's version check, kept: on SQLite it is what makes a second, concurrent firing roll back."""
    import pytest
    from sqlalchemy.orm.exc import StaleDataError

    from app.lifecycle import steps
    from app.models import Case

    clock.current = BUILT_AT
    case_id = case_in_support(PLAN_FROM, PLAN_TO)
    events_before = db.session.query(AuditEvent).filter_by(case_id=case_id).count()
    clock.current = DUE_AT
    with freeze_time(clock.current):
        step = steps.lock(case_id, None)
        with db.session.no_autoflush:  # the case row stays to be written by `write`
            step.fire_timers()
        cases = Case.__table__  # another writer's change, as a concurrent firing would make it
        db.session.connection().execute(sa.update(cases).where(cases.c.id == case_id)
                                         .values(lock_version=cases.c.lock_version + 1))
        with pytest.raises(StaleDataError):
            step_rows.write(step)
        db.session.rollback()
    case = case_of(case_id)
    assert case.state != "evaluation" and case.next_timer_at is not None
    assert db.session.query(AuditEvent).filter_by(case_id=case_id).count() == events_before
