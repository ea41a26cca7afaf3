"""A task step's rows written by Core statements are the rows the ORM's flush writes."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.extensions import db
from app.lifecycle import step_rows
from app.models import AuditEvent, Case, FormSubmission, HumanTask, PlanVersion, StatFact
from app.services.audit.chain import verify

from .helpers import complete, core_writes_only_for, statements_sent, walk_in


def _plain(value):
    """Row values without ids (two cases never share them) and engine task ids."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if key != "id" and not key.endswith("_id")}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _rows(model, case_id: int, columns: tuple[str, ...]) -> list[dict]:
    table = model.__table__
    query = sa.select(*[table.c[name] for name in columns]).where(table.c.case_id == case_id).order_by(table.c.id)
    return [_plain(dict(row._mapping)) for row in db.session.execute(query)]


def _everything(case_id: int) -> dict:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    return {
        "case": (case.state, case.lock_version, case.next_timer_at, case.person_id is not None),
        "submissions": _rows(FormSubmission, case_id, ("form_key", "form_version", "data", "actor_id", "submitted_at")),
        "tasks": _rows(HumanTask, case_id, ("bpmn_id", "name", "form_key", "role", "ward", "case_state",
                                            "instance_item", "assignee_id", "status", "due_on", "prefill",
                                            "completed_at", "completed_by_id")),
        "events": [(row["event_type"], row["sequence"], _plain(row["data"]))
                   for row in _rows(AuditEvent, case_id, ("event_type", "sequence", "data"))],
        "plans": _rows(PlanVersion, case_id, ("number", "overall_goal", "statutory_services", "status",
                                              "plan_from", "plan_to", "submission_id")),
        "facts": [{**row, "source": re.sub(r"\d+", "#", row["source"])}  # "submission:<id>"
                  for row in _rows(StatFact, case_id, ("ward", "month", "indicator", "detail", "of_which_plan",
                                                       "source"))],
    }


STEPS = (("intake", {"new_person": True}), ("assessment", {}), ("plan", {"overall_goal": "家計を立て直す"}))


def test_core_rows_equal_the_flushed_rows(app, staff, login, monkeypatch):
    cw = login(staff["caseworker"])
    by_core, by_flush = walk_in(cw), walk_in(cw)
    db.session.commit()
    written = core_writes_only_for(monkeypatch, by_core)
    for form_key, overrides in STEPS:
        complete(cw, by_core, form_key, **overrides)
        complete(cw, by_flush, form_key, **overrides)
    assert written and all(written), written  # every write of these steps went by Core
    core, flushed = _everything(by_core), _everything(by_flush)
    for part in core:
        assert core[part] == flushed[part], part
    assert core["facts"], "the intake's facts follow rows written by Core too"
    assert [row["number"] for row in core["plans"]] == [1]
    for case_id in (by_core, by_flush):
        assert verify(case_id).ok


def test_a_task_step_writes_its_rows_in_one_statement_on_postgresql(app, staff, login):
    """The submission's id comes with the lock, so the submission, the task's completion, the plan,
    the audit events and the case row go out together."""
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", new_person=True)
    complete(cw, case_id, "assessment")
    db.session.commit()
    with statements_sent() as sent:
        complete(cw, case_id, "plan")
    writes = [" ".join(s.split())[:60] for s in sent if not s.lstrip().upper().startswith("SELECT")]
    if db.engine.dialect.name != "postgresql":
        assert any(s.startswith("INSERT INTO plan_versions") for s in writes), writes
        return
    assert len(writes) == 1 and writes[0].startswith("WITH step_insert_0 AS (INSERT INTO form_submissions"), writes
    db.session.expire_all()
    assert db.session.get(Case, case_id).state == "meeting"


def test_a_stale_case_row_fails_the_step_and_writes_nothing(app, staff, login, monkeypatch):
    """The flush's version check holds for Core writes: the step rolls back whole."""
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake", new_person=True)
    db.session.commit()
    submissions_before = db.session.query(FormSubmission).filter_by(case_id=case_id).count()
    write = step_rows.write

    def behind_its_back(step):
        if step.case.state != "assessment":  # the final write: the case row is about to change
            cases = Case.__table__
            db.session.connection().execute(sa.update(cases).where(cases.c.id == case_id)
                                            .values(lock_version=cases.c.lock_version + 1))
        return write(step)

    monkeypatch.setattr(step_rows, "write", behind_its_back)
    response = complete(cw, case_id, "assessment", expect=303)
    assert "他の職員が同時にこのケースを更新しました" in _flashes(cw)
    assert response.headers["Location"].endswith(f"/cases/{case_id}")
    db.session.expire_all()
    assert db.session.query(FormSubmission).filter_by(case_id=case_id).count() == submissions_before
    assert db.session.get(Case, case_id).state == "assessment"
    assert verify(case_id).ok


def _flashes(client) -> str:
    with client.session_transaction() as session:
        return " ".join(message for _category, message in session.get("_flashes", []))


def test_rows_whose_keys_the_orm_works_out_are_left_to_the_flush(app, staff, login):
    """A new row tied to another by a relationship (not by its key) goes out with the flush, whole."""
    from app.clock import now
    from app.lifecycle import steps
    from app.models import User

    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    db.session.commit()
    step = steps.lock(case_id, None)
    actor = db.session.query(User).filter_by(username=staff["caseworker"].username).one()
    db.session.add(FormSubmission(case_id=case_id, form_key="note", form_version=1, data={"text": "x"},
                                  actor=actor, submitted_at=now()))
    step.case.route = "walk_in_again"
    with db.session.no_autoflush:
        assert step_rows.write(step) is False
    step.write_rows()  # falls back to the flush
    db.session.commit()
    db.session.expire_all()
    row = db.session.query(FormSubmission).filter_by(case_id=case_id, form_key="note").one()
    assert row.actor_id == actor.id
    assert db.session.get(Case, case_id).route == "walk_in_again"
