"""A form submission reads its task and case once: the read that checks access also locks the case."""

from __future__ import annotations

from app.extensions import db

from .helpers import complete, open_task, statements_sent, walk_in


def _statements_during(call) -> list[str]:
    with statements_sent() as sent:
        call()
    return [" ".join(statement.split()) for statement in sent]


def test_a_submission_reads_the_task_with_its_case_once(app, staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    db.session.commit()
    sent = _statements_during(lambda: complete(cw, case_id, "intake"))
    task_reads = [s for s in sent if s.startswith("SELECT") and "FROM human_tasks JOIN cases" in s
                  or "FROM process_versions" in s and "human_tasks" in s]
    assert len(task_reads) == 1, task_reads
    if db.engine.dialect.name == "postgresql":
        assert "FOR UPDATE OF cases" in task_reads[0]
    assert open_task(case_id, "assessment")  # and the step went through


def test_a_draft_does_not_lock_the_case(app, staff, login):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    task = open_task(case_id, "intake")
    db.session.commit()
    sent = _statements_during(lambda: cw.post(f"/tasks/{task.id}", data={"save_draft": "1", "name": "下書き"}))
    assert not any("FOR UPDATE" in s for s in sent)
