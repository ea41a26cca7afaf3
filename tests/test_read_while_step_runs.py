"""Reading a case never waits behind a step that holds the case row lock (PostgreSQL)."""

from __future__ import annotations

import logging
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent
from app.services.audit import chain as audit

from .conftest import DB_KIND
from .helpers import walk_in

pytestmark = pytest.mark.skipif(DB_KIND != "postgresql", reason="row locks need PostgreSQL")


def _views(case_id: int) -> int:
    db.session.expire_all()
    return db.session.query(AuditEvent).filter_by(case_id=case_id, event_type="case_viewed").count()


class _Kept(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _case_held_by_a_step(cw):
    """A new case, its read events so far, and another worker's connection holding its row lock."""
    case_id = walk_in(cw)
    db.session.commit()
    before = _views(case_id)
    db.session.commit()
    step = db.engine.connect()  # another worker, in the middle of a step on this case
    step.execute(sa.text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": case_id})
    return case_id, before, step


def test_a_case_page_answers_while_a_step_holds_the_case_lock(app, staff, login):
    cw = login(staff["caseworker"])
    case_id, before, step = _case_held_by_a_step(cw)
    try:
        kept = _Kept()  # (another test may stop the app's loggers propagating to the root)
        audit_log = logging.getLogger("tsunagi.audit")
        audit_log.addHandler(kept)
        level = audit_log.level
        audit_log.setLevel(logging.WARNING)
        started = time.monotonic()
        try:
            response = cw.get(f"/cases/{case_id}")
        finally:
            audit_log.removeHandler(kept)
            audit_log.setLevel(level)
        assert time.monotonic() - started < 5  # a safety bound: the lock is never released here
        assert response.status_code == 200
        assert any("case_viewed" in message and str(case_id) in message for message in kept.messages)
    finally:
        step.rollback()
        step.close()

    assert _views(case_id) == before  # the read went to the log, not half into the chain
    assert cw.get(f"/cases/{case_id}").status_code == 200
    assert _views(case_id) == before + 1  # with the lock free, reads are chained as before
    assert audit.verify(case_id).ok


def test_a_step_behind_a_stuck_step_answers_busy_instead_of_waiting_for_ever(app, staff, login):
    from .helpers import complete, open_task

    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    task_id = open_task(case_id, "intake").id
    db.session.commit()
    stuck = db.engine.connect()
    stuck.execute(sa.text("SELECT id FROM cases WHERE id = :id FOR UPDATE"), {"id": case_id})
    try:
        started = time.monotonic()
        response = complete(cw, case_id, "intake", expect=303)
        assert time.monotonic() - started < 15  # the lock timeout (5 s), not for ever
        assert "別の処理の途中" in cw.get(response.headers["Location"]).get_data(as_text=True)
    finally:
        stuck.rollback()
        stuck.close()
    assert open_task(case_id, "intake").id == task_id  # nothing saved; the task is still there


def test_a_read_of_a_free_case_takes_the_lock_without_setting_a_wait(app, staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    db.session.commit()
    sent: list[str] = []

    def keep(conn, cursor, statement, *args):
        sent.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        assert cw.get(f"/cases/{case_id}").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
    assert any("FOR UPDATE NOWAIT" in statement for statement in sent)
    assert not any("lock_timeout" in statement for statement in sent)
    assert audit.verify(case_id).ok


def test_a_read_behind_a_short_step_waits_and_is_chained(app, staff, login):
    import threading

    cw = login(staff["caseworker"])
    case_id, before, step = _case_held_by_a_step(cw)
    release = threading.Timer(0.3, step.rollback)
    release.start()
    try:
        assert cw.get(f"/cases/{case_id}").status_code == 200
    finally:
        release.join()
        step.close()
    assert _views(case_id) == before + 1  # waited for the step, then chained
    assert audit.verify(case_id).ok
