"""Truthful answers under faults: bookkeeping after a step never turns it into an error, and a client
whose answer was lost after the commit retries with the same Idempotency-Key and gets the first
result back (one case, one completion, one note), never a duplicate or a 409."""

from __future__ import annotations

import contextlib
import logging
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app import audit_chain
from app.extensions import db
from app.models import AuditEvent, Case, FormSubmission
from app.services.demo.samples import sample

from ..conftest import DB_KIND
from .helpers import DAY, open_task_id, post_twice_at_once


def _count(model, **filters) -> int:
    db.session.expire_all()
    return db.session.query(model).filter_by(**filters).count()


@pytest.fixture
def connection_drops_after_commit(monkeypatch):
    """arm() -> the next commit reaches the database, then the connection 'dies' before the answer."""
    real_commit = Session.commit
    armed = []

    def commit(self):
        real_commit(self)
        if armed:
            armed.clear()
            raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(Session, "commit", commit)
    return lambda: armed.append(True)


def _lost_answer(send) -> None:
    """Send a request whose answer the client never sees (a 500 or a dropped connection)."""
    try:
        response = send()
    except OperationalError:
        return
    assert response.status_code >= 500, response.get_json()


def test_failed_token_use_record_does_not_turn_a_committed_case_into_an_error(app, api, staff, monkeypatch,
                                                                             caplog):
    def record_token_use(token_id, actor_id, **data):
        raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(audit_chain, "record_token_use", record_token_use)
    cw = api(staff["caseworker"])
    with caplog.at_level(logging.WARNING, logger="tsunagi.api"):
        response = cw.post("/cases", json={})
    assert response.status_code == 201, response.get_json()
    assert _count(Case, id=response.get_json()["case_id"]) == 1
    assert "api_token_used not recorded" in caplog.text and "POST /api/v1/cases" in caplog.text
    monkeypatch.undo()
    assert cw.get(f"/cases/{response.get_json()['case_id']}").status_code == 200  # the app still answers


def test_retry_after_a_lost_answer_gets_the_first_case(app, api, staff, connection_drops_after_commit):
    cw = api(staff["caseworker"])
    key = {"Idempotency-Key": "open-2026-11-26-0001"}
    connection_drops_after_commit()
    _lost_answer(lambda: cw.post("/cases", json={}, headers=key))
    assert _count(Case) == 1  # the step committed although the client saw an error

    retry = cw.post("/cases", json={}, headers=key)
    assert retry.status_code == 201 and retry.headers.get("Idempotent-Replayed") == "true"
    (case,) = db.session.query(Case).all()
    assert retry.get_json() == {"case_id": case.id}
    assert _count(Case) == 1
    fresh = cw.post("/cases", json={}, headers={"Idempotency-Key": "open-2026-11-26-0002"})
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers and _count(Case) == 2


def test_retried_task_completion_is_not_a_second_completion(app, api, staff, connection_drops_after_commit):
    cw = api(staff["caseworker"])
    case_id = cw.post("/cases", json={}).get_json()["case_id"]
    task_id = open_task_id(cw, case_id, "intake")
    body = {"data": sample("intake", DAY)}
    key = {"Idempotency-Key": "intake-done-1"}
    connection_drops_after_commit()
    _lost_answer(lambda: cw.post(f"/tasks/{task_id}/complete", json=body, headers=key))

    retry = cw.post(f"/tasks/{task_id}/complete", json=body, headers=key)
    assert retry.status_code == 200, retry.get_json()  # not 409 "already completed"
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.get_json()["state"] == "assessment" and retry.get_json()["case_id"] == case_id
    assert _count(FormSubmission, case_id=case_id, form_key="intake") == 1
    assert _count(AuditEvent, case_id=case_id, event_type="task_completed") == 1
    again = cw.post(f"/tasks/{task_id}/complete", json=body)  # without a key: the usual 409
    assert again.status_code == 409


def test_case_action_replay_and_a_reused_key(app, api, staff):
    cw = api(staff["caseworker"])
    case_id = cw.post("/cases", json={}).get_json()["case_id"]
    note = {"data": sample("progress_note", DAY)}
    key = {"Idempotency-Key": "note-1"}
    first = cw.post(f"/cases/{case_id}/actions/record_progress", json=note, headers=key)
    assert first.status_code == 200, first.get_json()
    retry = cw.post(f"/cases/{case_id}/actions/record_progress", json=note, headers=key)
    assert retry.status_code == 200 and retry.get_json() == first.get_json()
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert _count(FormSubmission, case_id=case_id, action="record_progress") == 1

    other_body = {"data": {**note["data"], "content": "別の記録"}}
    changed = cw.post(f"/cases/{case_id}/actions/record_progress", json=other_body, headers=key)
    assert changed.status_code == 422 and "Idempotency-Key" in changed.get_json()["errors"]
    elsewhere = cw.post("/cases", json={}, headers=key)  # the same key on another endpoint
    assert elsewhere.status_code == 422 and "Idempotency-Key" in elsewhere.get_json()["errors"]
    too_long = cw.post("/cases", json={}, headers={"Idempotency-Key": "k" * 129})
    assert too_long.status_code == 422
    # Another user's key is their own.
    lead = api(staff["lead_worker"])
    assert lead.post("/cases", json={}, headers=key).status_code == 201

    # A refused step commits nothing, so it does not use up its key: the same request runs again.
    key = {"Idempotency-Key": "bad-ward-then-good"}
    cases = _count(Case)
    assert cw.post("/cases", json={"ward": "atlantis"}, headers=key).status_code == 422
    assert cw.post("/cases", json={"ward": "atlantis"}, headers=key).status_code == 422
    assert _count(Case) == cases


@pytest.mark.skipif(DB_KIND != "postgresql", reason="real concurrency needs PostgreSQL")
def test_simultaneous_requests_with_one_key_open_one_case(app, staff):
    answers = post_twice_at_once(app, staff["caseworker"], "/cases", {}, {"Idempotency-Key": "race-1"})
    assert answers[0] == answers[1] and answers[0][0] == 201, answers
    assert _count(Case) == 1


@pytest.mark.skipif(DB_KIND != "postgresql", reason="the token row lock is PostgreSQL's")
def test_a_held_token_lock_does_not_hold_the_answer(app, api, staff, monkeypatch, caplog):
    from app.models import ApiToken
    from app.services.staff import tokens

    monkeypatch.setattr(tokens, "TOKEN_USE_LOCK_TIMEOUT_MS", 200)
    cw = api(staff["caseworker"])
    token_id = db.session.query(ApiToken.id).scalar()
    db.session.rollback()
    engine = db.engine
    other = engine.connect()  # another call with this token holds its row lock and does not let go
    other.execute(sa.text("SELECT id FROM api_tokens WHERE id = :id FOR UPDATE"), {"id": token_id})
    pid = other.execute(sa.text("SELECT pg_backend_pid()")).scalar()

    def end_the_holder():  # a watchdog, so that a regression fails instead of hanging the suite
        with engine.connect() as admin:
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    watchdog = threading.Timer(10, end_the_holder)
    watchdog.start()
    try:
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="tsunagi.api"):
            response = cw.post("/cases", json={})
        elapsed = time.monotonic() - started
    finally:
        watchdog.cancel()
        with contextlib.suppress(sa.exc.DBAPIError, sa.exc.PendingRollbackError):  # gone if the watchdog fired
            other.rollback()
        with contextlib.suppress(sa.exc.DBAPIError, sa.exc.PendingRollbackError):
            other.close()
    assert response.status_code == 201, response.get_json()
    assert _count(Case, id=response.get_json()["case_id"]) == 1
    assert "api_token_used not recorded" in caplog.text and elapsed < 5
