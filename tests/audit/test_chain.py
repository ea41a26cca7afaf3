"""The hash chain: every event links to the one before it; verify finds edits, deletions, reorders."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.models import AuditEvent
from app.models.audit import GENESIS_HASH, expected_hash

from .conftest import tamper


def _chain(case_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.query(AuditEvent).filter_by(chain=f"case:{case_id}").order_by(AuditEvent.sequence).all()


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def test_each_case_has_its_own_linked_chain(app, revised_case):
    events = _chain(revised_case)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert events[0].event_type == "case_opened" and events[0].prev_hash == GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    assert all(expected_hash(e) == e.hash for e in events)
    system = db.session.query(AuditEvent).filter_by(case_id=None).order_by(AuditEvent.sequence).all()
    assert system[0].event_type == "process_deployed" and system[0].chain == "system"


def test_verify_passes_on_an_untouched_log(app, revised_case):
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "audit chains OK" in result.output
    result = _verify(app, "--case", str(revised_case))
    assert result.exit_code == 0 and f"case:{revised_case} head" in result.output


def test_edited_data_is_found(app, revised_case):
    target = _chain(revised_case)[4]
    tamper("UPDATE audit_events SET data = :data WHERE id = :id", data='{"form_key": "plan", "forged": true}',
           id=target.id)
    result = _verify(app, "--case", str(revised_case))
    assert result.exit_code == 1
    assert f"case:{revised_case} #{target.sequence}" in result.output and "edited" in result.output


def test_edited_data_with_a_recomputed_hash_breaks_the_next_link(app, revised_case):
    events = _chain(revised_case)
    target = events[3]
    target.data = {**target.data, "forged": True}
    forged_hash = expected_hash(target)
    db.session.rollback()
    tamper("UPDATE audit_events SET data = :data, hash = :hash WHERE id = :id",
           data='{"forged": true}', hash=forged_hash, id=target.id)
    result = _verify(app, "--case", str(revised_case))
    assert result.exit_code == 1 and f"#{target.sequence} " in result.output


def test_deleted_event_is_found(app, revised_case):
    target = _chain(revised_case)[5]
    sequence = target.sequence
    tamper("DELETE FROM audit_events WHERE id = :id", id=target.id)
    result = _verify(app)
    assert result.exit_code == 1
    assert f"case:{revised_case} #{sequence + 1}" in result.output and "missing" in result.output


def test_reordered_events_are_found(app, revised_case):
    first, second = _chain(revised_case)[2:4]
    (first_id, first_sequence), (second_id, second_sequence) = (first.id, first.sequence), (second.id, second.sequence)
    tamper("UPDATE audit_events SET sequence = -1 WHERE id = :id", id=first_id)
    tamper("UPDATE audit_events SET sequence = :s WHERE id = :id", s=first_sequence, id=second_id)
    tamper("UPDATE audit_events SET sequence = :s WHERE id = :id", s=second_sequence, id=first_id)
    result = _verify(app, "--case", str(revised_case))
    assert result.exit_code == 1
    assert f"case:{revised_case} #{first_sequence} " in result.output


def test_other_cases_stay_verified_when_one_is_broken(app, revised_case, staff, login):
    from ..helpers import walk_in

    other = walk_in(login(staff["caseworker"]))
    tamper("DELETE FROM audit_events WHERE id = :id", id=_chain(revised_case)[1].id)
    assert _verify(app, "--case", str(other)).exit_code == 0
    assert _verify(app, "--case", str(revised_case)).exit_code == 1


def test_postgresql_refuses_update_delete_and_truncate(app, revised_case):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    target_id = _chain(revised_case)[0].id
    db.session.rollback()  # TRUNCATE would wait for this session's open transaction
    for statement in ("UPDATE audit_events SET data = '{}' WHERE id = :id", "DELETE FROM audit_events WHERE id = :id",
                      "TRUNCATE audit_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as connection:
                connection.execute(text(statement), {"id": target_id})
    assert len(_chain(revised_case)) > 0
