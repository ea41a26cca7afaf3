"""PostgreSQL sessions carry lock, statement and idle-in-transaction timeouts: a stuck transaction
cannot hold a case row lock for good, and nobody waits on a lock for ever."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db

from .conftest import DB_KIND

pytestmark = pytest.mark.skipif(DB_KIND != "postgresql", reason="PostgreSQL session settings")


def test_every_session_has_the_configured_timeouts(app):
    shown = {name: db.session.execute(sa.text(f"SHOW {name}")).scalar_one()
             for name in ("lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout")}
    assert shown == {"lock_timeout": "5s", "statement_timeout": "30s", "idle_in_transaction_session_timeout": "1min"}


def test_the_scheduler_gets_its_longer_statement_timeout(app):
    from app.services.timers.scheduler import use_scheduler_statement_timeout

    use_scheduler_statement_timeout()
    db.session.remove()
    assert db.session.execute(sa.text("SHOW statement_timeout")).scalar_one() == "5min"
    assert db.session.execute(sa.text("SHOW lock_timeout")).scalar_one() == "5s"
