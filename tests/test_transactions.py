"""How a request's transaction ends when the code left it open (app/transactions.py).

A read-only request ends with COMMIT (psycopg forgets its prepared statements on every
ROLLBACK); anything that wrote, or holds unflushed changes, or failed, is still rolled back.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.extensions import db
from app.models import User

from .conftest import DB_KIND


@pytest.fixture
def probe(app, staff):
    """Test-only routes, and the COMMIT/ROLLBACK endings the engine saw."""
    user_id = staff["caseworker"].id

    def read():
        return db.session.get(User, user_id).display_name

    def write_unflushed():
        db.session.get(User, user_id).display_name = "unflushed"
        return "ok"

    def write_flushed():
        db.session.get(User, user_id).display_name = "flushed"
        db.session.flush()
        return "ok"

    def write_then_fail():
        db.session.get(User, user_id).display_name = "failed"
        db.session.flush()
        raise RuntimeError("the step failed")

    for name, view in [("read", read), ("unflushed", write_unflushed), ("flushed", write_flushed),
                       ("fail", write_then_fail)]:
        app.add_url_rule(f"/_probe/{name}", f"probe_{name}", view)
    endings: list[str] = []
    engine = db.engine
    on_commit, on_rollback = (lambda conn: endings.append("commit")), (lambda conn: endings.append("rollback"))
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    yield app.test_client(), endings, user_id
    event.remove(engine, "commit", on_commit)
    event.remove(engine, "rollback", on_rollback)


def _name(user_id: int) -> str:
    db.session.expire_all()
    return db.session.get(User, user_id).display_name


def test_a_read_only_request_ends_with_commit(probe):
    client, endings, user_id = probe
    assert client.get("/_probe/read").status_code == 200
    assert endings == ["commit"]
    assert _name(user_id) == "cw"


@pytest.mark.parametrize("route", ["unflushed", "flushed"])
def test_changes_left_uncommitted_are_rolled_back(probe, route):
    client, endings, user_id = probe
    assert client.get(f"/_probe/{route}").status_code == 200
    assert endings == ["rollback"]
    assert _name(user_id) == "cw"


def test_a_failed_request_is_rolled_back(app, probe):
    client, endings, user_id = probe
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a 500 page, not a raised error
    assert client.get("/_probe/fail").status_code == 500
    assert "commit" not in endings
    assert _name(user_id) == "cw"


@pytest.mark.skipif(DB_KIND != "postgresql", reason="the pool's check is PostgreSQL's")
def test_connections_the_server_closed_are_replaced_without_a_failed_request(app, probe):
    """A restart or a terminated backend while the pool's connections sit idle: the next request
    gets a fresh connection, found out without a query (the pool's pre-ping is off)."""
    client, endings, user_id = probe
    assert client.get("/_probe/read").status_code == 200  # the pool now holds a connection
    db.session.remove()
    engine = db.engine
    assert not engine.pool._pre_ping
    admin = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
    others = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
              "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
    try:
        with admin.connect() as conn:
            assert conn.execute(sa.text(others)).scalar() >= 1
            conn.execute(sa.text(others.replace("count(*)", "pg_terminate_backend(pid)")))
            deadline = time.monotonic() + 10
            while conn.execute(sa.text(others)).scalar() and time.monotonic() < deadline:
                conn.rollback()  # a new snapshot of pg_stat_activity
            assert conn.execute(sa.text(others)).scalar() == 0
        endings.clear()
        assert client.get("/_probe/read").status_code == 200
        assert endings == ["commit"]
    finally:
        admin.dispose()
