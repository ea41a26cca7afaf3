"""Workflows kept deserialised between the steps of a case: reused only when the row holds exactly
the bytes this process saved, never after another writer or a rolled-back step."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.lifecycle import projection
from app.models import FormSubmission

from .helpers import case_of, complete, statements_sent, walk_in


def _replay_verifies(app, case_id: int) -> bool:
    result = app.test_cli_runner().invoke(args=["audit", "replay", str(case_id), "--verify"])
    return result.exit_code == 0 and "replay matches the stored state" in result.output


def test_the_next_step_reuses_the_workflow_this_process_saved(app, staff, login):
    warm = app.extensions["tsunagi.engine"].warm
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    hits = warm.hits
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment")
    assert warm.hits == hits + 2
    assert case_of(case_id).state == "plan_draft"
    assert _replay_verifies(app, case_id)


def _blob_reads(sent: list[str]) -> list[str]:
    """Statements that bring the workflow blob itself back (its digest is not the blob)."""
    flat = [" ".join(s.split()) for s in sent]
    return [s for s in flat if s.upper().startswith("SELECT")
            and "workflow_blob" in s.replace("sha256(cases.workflow_blob)", "")]


def test_a_kept_workflow_leaves_the_blob_in_postgresql(app, staff, login):
    """The lock reads the blob's digest; the blob itself never travels when the workflow is kept."""
    warm = app.extensions["tsunagi.engine"].warm
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    hits = warm.hits
    with statements_sent() as sent:
        complete(cw, case_id, "assessment")
    assert warm.hits == hits + 1
    if db.engine.dialect.name == "postgresql":
        assert _blob_reads(sent) == []
        assert any("sha256(cases.workflow_blob)" in s for s in sent)
    else:  # SQLite reads it in-process with the lock
        assert len(_blob_reads(sent)) == 1
    assert case_of(case_id).state == "plan_draft"


def test_a_workflow_not_kept_reads_the_blob_once_after_the_lock(app, staff, login):
    warm = app.extensions["tsunagi.engine"].warm
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    warm.clear()
    with statements_sent() as sent:
        complete(cw, case_id, "assessment")
    assert len(_blob_reads(sent)) == 1
    assert case_of(case_id).state == "plan_draft"
    assert _replay_verifies(app, case_id)


def test_a_row_written_elsewhere_is_loaded_from_its_bytes(app, staff, login):
    warm = app.extensions["tsunagi.engine"].warm
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    warm.clear()  # as if the intake had been completed by another worker or host
    misses = warm.misses
    complete(cw, case_id, "assessment")
    assert warm.misses == misses + 1
    assert _replay_verifies(app, case_id)


def test_a_rolled_back_step_leaves_no_stale_workflow(app, staff, login, monkeypatch):
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    real_sync = projection.sync_tasks

    def failing_sync(*args, **kwargs):
        real_sync(*args, **kwargs)
        raise RuntimeError("the database went away after the engine ran")

    monkeypatch.setattr(projection, "sync_tasks", failing_sync)
    with pytest.raises(RuntimeError):
        complete(cw, case_id, "assessment")
    monkeypatch.undo()
    db.session.rollback()
    assert case_of(case_id).state == "assessment"
    complete(cw, case_id, "assessment")
    assert db.session.query(FormSubmission).filter_by(case_id=case_id, form_key="assessment").count() == 1
    assert case_of(case_id).state == "plan_draft"
    assert _replay_verifies(app, case_id)


def test_a_row_changed_behind_a_kept_workflow_is_not_mistaken_for_it(app, staff, login):
    """Another process's step leaves other bytes (so another digest): the kept object is not used."""
    warm = app.extensions["tsunagi.engine"].warm
    cw = login(staff["caseworker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    kept = dict(warm._kept)
    complete(cw, case_id, "assessment")  # "elsewhere": this process then forgets it saved it
    warm.clear()
    warm._kept.update(kept)  # still holds the workflow as saved after the intake
    misses = warm.misses
    complete(cw, case_id, "plan")
    assert warm.misses == misses + 1
    assert case_of(case_id).state == "meeting"
    assert _replay_verifies(app, case_id)
