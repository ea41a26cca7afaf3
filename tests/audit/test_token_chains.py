"""API token uses: one hash chain per token, so API calls never queue on one system-wide lock."""

from __future__ import annotations

import contextlib
import threading

import pytest
import sqlalchemy as sa

from app import audit_chain
from app.extensions import db
from app.models import AuditEvent
from app.services.staff.tokens import issue_token

from ..api.conftest import ApiClient
from ..conftest import DB_KIND
from .conftest import tamper


def _uses(token_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return (db.session.query(AuditEvent).filter_by(chain=f"token:{token_id}")
            .order_by(AuditEvent.sequence).all())


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def test_each_tokens_uses_form_their_own_chain_off_the_system_chain(app, staff):
    (raw_a, token_a), (raw_b, token_b) = issue_token("cw"), issue_token("lead")
    system_before = db.session.query(AuditEvent).filter_by(chain="system").count()
    for raw, calls in ((raw_a, 3), (raw_b, 2)):
        client = ApiClient(app.test_client(), raw)
        for _ in range(calls):
            assert client.get("/tasks").status_code == 200
    uses_a, uses_b = _uses(token_a.id), _uses(token_b.id)
    assert [e.sequence for e in uses_a] == [1, 2, 3] and [e.sequence for e in uses_b] == [1, 2]
    assert all(e.event_type == "api_token_used" and e.data["token_id"] == token_a.id for e in uses_a)
    assert uses_a[1].prev_hash == uses_a[0].hash and uses_b[1].prev_hash == uses_b[0].hash
    assert db.session.query(AuditEvent).filter_by(chain="system").count() == system_before
    result = _verify(app)
    assert result.exit_code == 0 and "audit chains OK" in result.output, result.output


def test_a_tampered_token_use_is_found(app, staff):
    raw, token = issue_token("cw")
    client = ApiClient(app.test_client(), raw)
    for _ in range(3):
        client.get("/tasks")
    target = _uses(token.id)[1]
    tamper("UPDATE audit_events SET data = :data WHERE id = :id",
           data=f'{{"token_id": {token.id}, "method": "GET", "path": "/api/v1/elsewhere", "status": 200}}',
           id=target.id)
    result = _verify(app)
    assert result.exit_code == 1
    assert f"token:{token.id} #2" in result.output and "edited" in result.output


def test_a_deleted_token_use_is_found(app, staff):
    raw, token = issue_token("cw")
    client = ApiClient(app.test_client(), raw)
    for _ in range(3):
        client.get("/tasks")
    tamper("DELETE FROM audit_events WHERE id = :id", id=_uses(token.id)[0].id)
    result = _verify(app)
    assert result.exit_code == 1 and f"token:{token.id} #2" in result.output and "missing" in result.output


def test_a_token_use_moved_to_another_tokens_chain_is_found(app, staff):
    (raw_a, token_a), (raw_b, token_b) = issue_token("cw"), issue_token("lead")
    ApiClient(app.test_client(), raw_a).get("/tasks")
    ApiClient(app.test_client(), raw_b).get("/tasks")
    tamper("UPDATE audit_events SET chain = :chain, sequence = 2 WHERE id = :id",
           chain=f"token:{token_b.id}", id=_uses(token_a.id)[0].id)
    result = _verify(app)
    assert result.exit_code == 1 and f"token:{token_b.id} #2" in result.output


def test_a_token_use_appends_under_its_own_tokens_lock_only(app, staff, monkeypatch):
    """The lock design: the token's row, not the system chain's advisory lock."""
    taken = []
    real_execute = db.session.execute

    def execute(statement, *args, **kwargs):
        taken.append(str(statement))
        return real_execute(statement, *args, **kwargs)

    raw, token = issue_token("cw")
    monkeypatch.setattr(db.session, "execute", execute)
    appended = []
    real_append = audit_chain._append
    monkeypatch.setattr(audit_chain, "_append",
                        lambda chain, *rest: appended.append(chain) or real_append(chain, *rest))
    with app.test_request_context():
        audit_chain.record_token_use(token.id, staff["caseworker"].id, method="GET", path="/x", status=200)
    assert appended == [f"token:{token.id}"]
    assert not any("pg_advisory" in statement for statement in taken)


@pytest.mark.skipif(DB_KIND != "postgresql", reason="row locks are PostgreSQL's")
def test_calls_with_other_tokens_are_recorded_while_one_token_and_the_system_chain_are_locked(app, staff):
    (_raw_a, token_a), (raw_b, token_b) = issue_token("cw"), issue_token("lead")
    db.session.commit()
    engine = db.engine
    holder = engine.connect()  # a long call with token A, and a long system-chain writer, both still open
    holder.execute(sa.text("SELECT id FROM api_tokens WHERE id = :id FOR UPDATE"), {"id": token_a.id})
    holder.execute(sa.text("SELECT pg_advisory_xact_lock(:namespace, 0)"),
                   {"namespace": audit_chain._ADVISORY_NAMESPACE})
    pid = holder.execute(sa.text("SELECT pg_backend_pid()")).scalar()

    def end_the_holder():  # a watchdog, so that a regression fails instead of hanging the suite
        with engine.connect() as admin:
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    watchdog = threading.Timer(20, end_the_holder)
    watchdog.start()
    try:
        client_b = ApiClient(app.test_client(), raw_b)
        statuses = [client_b.get("/tasks").status_code for _ in range(3)]
        recorded_while_held = db.session.query(AuditEvent).filter_by(event_type="api_token_used").count()
        db.session.rollback()
    finally:
        watchdog.cancel()
        with contextlib.suppress(sa.exc.DBAPIError, sa.exc.PendingRollbackError):
            holder.rollback()
        with contextlib.suppress(sa.exc.DBAPIError, sa.exc.PendingRollbackError):
            holder.close()
    assert statuses == [200, 200, 200]
    assert recorded_while_held == 3
    assert [e.sequence for e in _uses(token_b.id)] == [1, 2, 3]
