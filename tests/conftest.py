"""Fixtures build on each other: database → app → client → users → cases."""

from __future__ import annotations

import functools
import os
import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db

DB_KIND = os.environ.get("TSUNAGI_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get("TSUNAGI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "correct-horse-1"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if DB_KIND != "postgresql":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'tsunagi-test.sqlite3'}"
        return
    import psycopg

    name = f"tsunagi_test_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class FakeClock:
    """An injectable clock: tests move time instead of sleeping."""

    def __init__(self, start: datetime):
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **kwargs) -> None:
        self.current += timedelta(**kwargs)


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (own `g`, own db session), as in production.

    Without this, requests reuse the test's app context and share `g`, so the logged-in
    user and the locale would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 26, 1, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def reset_database(database_url):
    """Build the schema once for this run's database; return reset(), which empties it again.

    After reset() every table is as create_all left it: no rows, and on PostgreSQL every
    sequence restarted (ids start at 1 again) and the audit triggers enabled.  DELETE rather
    than TRUNCATE or a template database: for tables this small it is the cheapest by far.
    """
    schema_app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with schema_app.app_context():
        db.create_all()
        statements = _reset_statements(db.engine)
        db.engine.dispose()

    def reset() -> None:
        db.session.remove()
        with db.engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)

    return reset


def _reset_statements(engine) -> list[str]:
    # Children before parents, so that foreign keys never refuse a DELETE.
    deletes = [f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables)]
    if engine.dialect.name != "postgresql":
        with engine.connect() as connection:
            autoincrement = connection.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'").first()
        return deletes + (["DELETE FROM sqlite_sequence"] if autoincrement else [])
    with engine.connect() as connection:
        # Tables with user triggers (audit_events refuses DELETE for every role): off only inside
        # the reset's own transaction, so every test sees them on.
        guarded = connection.exec_driver_sql(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1").scalars().all()
    return ["; ".join(
        [f"ALTER TABLE {name} DISABLE TRIGGER USER" for name in guarded]
        + deletes
        + [f"ALTER TABLE {name} ENABLE TRIGGER USER" for name in guarded]
        + ["SELECT setval(seqrelid, seqstart, false) FROM pg_sequence"]  # = ALTER SEQUENCE … RESTART
    )]


@pytest.fixture
def app(database_url, reset_database, clock):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            # Tests move the clock by days and weeks while their users stay logged in; the
            # session timeouts are tested on their own (tests/access/test_sessions.py).
            "SESSION_IDLE_MINUTES": 10**7,
            "SESSION_MAX_HOURS": 10**6,
        }
    )
    app.extensions["tsunagi.clock"] = clock
    app.test_client_class = FreshContextClient
    with app.app_context():
        reset_database()
        from app.services.processes import deploy_from_disk

        deploy_from_disk()
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes():
    """Salted scrypt hashes as in production, with a work factor 32 times smaller.

    Every user a test makes is hashed, and every login verified: with the production cost
    (scrypt n=32768, ~0.1 s each) the staff fixture alone took most of a test's setup.  Checking
    reads the cost from the stored hash, so it is cheap as well.
    """
    from app.models import user

    production = user.generate_password_hash
    user.generate_password_hash = functools.partial(production, method="scrypt:1024:8:1")
    yield
    user.generate_password_hash = production


@pytest.fixture
def make_user(app):
    from app.services.staff.users import create_user

    def make(username: str, *roles: str, ward: str | None = "naka"):
        return create_user(username, list(roles), ward, PASSWORD, display_name=username)

    return make


@pytest.fixture
def staff(make_user):
    """One user per role in ward naka, plus a caseworker of another ward."""
    return {
        "caseworker": make_user("cw", "caseworker"),
        "lead_worker": make_user("lead", "lead_worker"),
        "section_chief": make_user("chief", "section_chief"),
        "budget_advisor": make_user("budget", "budget_advisor"),
        "employment_navigator": make_user("navi", "employment_navigator"),
        "provider": make_user("prov", "provider"),
        "other_ward_caseworker": make_user("cw_minami", "caseworker", ward="minami"),
    }


@pytest.fixture
def login(app):
    """login(user) -> a test client logged in as that user."""

    def do_login(user):
        client = app.test_client()
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do_login
