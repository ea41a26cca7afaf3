"""Audit fixtures: an auditor, cases driven through HTTP, and a way to tamper with rows."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.extensions import db

from ..helpers import complete, walk_in


@pytest.fixture
def auditor(make_user):
    return make_user("auditor_city", "auditor", ward=None)


@pytest.fixture
def revised_case(staff, login):
    """A case whose plan went back once for revision and was then approved (support started)."""
    cw, lead = login(staff["caseworker"]), login(staff["lead_worker"])
    case_id = walk_in(cw)
    complete(cw, case_id, "intake")
    complete(cw, case_id, "assessment")
    complete(cw, case_id, "plan", overall_goal="第1版の目標")
    complete(lead, case_id, "coordination_meeting", decision="revise", requested_changes="就労目標を具体的に")
    complete(cw, case_id, "plan", overall_goal="第2版の目標", statutory_services=["household_budget"])
    complete(lead, case_id, "coordination_meeting", decision="approve")
    return case_id


def tamper(sql: str, **params) -> None:
    """Change audit rows behind the application's back, as someone with database access would.

    On PostgreSQL the append-only trigger must be switched off first (only the table owner can).
    """
    db.session.rollback()  # ALTER TABLE waits for every open transaction that read the table
    postgres = db.engine.dialect.name == "postgresql"
    with db.engine.begin() as connection:
        if postgres:
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        connection.execute(text(sql), params)
        if postgres:
            connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
    db.session.expire_all()
