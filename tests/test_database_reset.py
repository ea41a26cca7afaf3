"""The per-test reset (tests/conftest.py) leaves the database a fresh build would: same rows, ids
starting again at 1, sequences where create_all left them, the audit triggers on."""

from __future__ import annotations

import os
import re
import secrets

import pytest

from app import create_app
from app.extensions import db
from app.services.processes import deploy_from_disk

from .conftest import DB_KIND, PG_ADMIN_URL
from .helpers import complete, walk_in


@pytest.fixture
def fresh_database_url(tmp_path):
    if DB_KIND != "postgresql":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    name = f"tsunagi_fresh_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_state(engine) -> dict:
    """Every row of every table, and on PostgreSQL every sequence and every user trigger's switch."""
    state = {}
    with engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            rows = connection.exec_driver_sql(f'SELECT * FROM "{table.name}"').all()
            state[table.name] = sorted(map(repr, rows))
        if engine.dialect.name == "postgresql":
            state["sequences"] = connection.exec_driver_sql(
                "SELECT sequencename, last_value, start_value FROM pg_sequences ORDER BY 1").all()
            state["triggers"] = connection.exec_driver_sql(
                "SELECT tgrelid::regclass::text, tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal "
                "ORDER BY 1, 2").all()
        else:
            state["sqlite_master"] = connection.exec_driver_sql(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY 1, 2").all()
    return state


def test_a_reset_database_equals_a_fresh_one(app, reset_database, staff, login, clock, fresh_database_url):
    cw = login(staff["caseworker"])
    complete(cw, walk_in(cw), "intake")  # users, a case, a task step, audit events: ids beyond 1
    reset_database()
    deploy_from_disk()
    db.session.commit()
    after_reset = database_state(db.engine)

    fresh = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_database_url})
    fresh.extensions["tsunagi.clock"] = clock
    with fresh.app_context():
        db.create_all()
        deploy_from_disk()
        db.session.commit()
        built_fresh = database_state(db.engine)
        db.session.remove()
        db.engine.dispose()

    assert after_reset == built_fresh
    assert after_reset["process_versions"] and after_reset["audit_events"]  # version 1 deployed, and audited
    if DB_KIND == "postgresql":
        assert {(name, enabled) for _, name, enabled in after_reset["triggers"]} == {
            ("audit_events_append_only", "O"), ("audit_events_no_truncate", "O")}
