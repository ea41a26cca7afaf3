"""How a request's database transaction ends when the code did not end it itself.

Flask-SQLAlchemy closes the session after each request, which rolls back whatever is open.
For a transaction that only read, a rollback and a commit have the same effect, but psycopg
treats every ROLLBACK as a reason to forget all its prepared statements; since nearly every
page view is such a read-only transaction, PostgreSQL would parse and plan every statement of
every task step afresh.  So a transaction that wrote nothing is committed at the end of the
request; one that wrote anything without committing (a failed step, a form with errors after
an autoflush) is still rolled back, as is any request that ended in an unhandled error.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.extensions import db

_WROTE = "tsunagi.wrote"
log = logging.getLogger("tsunagi.db")


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    # SELECT (also SELECT ... FOR UPDATE, which only locks) leaves the transaction read-only.
    if not statement.lstrip()[:6].upper() == "SELECT":
        conn.info[_WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _forget_writes(conn) -> None:
    conn.info.pop(_WROTE, None)


def end_read_only_transaction(exc: BaseException | None = None) -> None:
    session = db.session()  # this context's session (the scoped proxy lacks in_transaction)
    if exc is not None or not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted:
        return  # unflushed changes are never committed behind the code's back
    try:
        if session.connection().info.get(_WROTE):
            return
        session.commit()
    except Exception:  # e.g. a transaction already failed; the session's close rolls it back
        log.warning("could not end a read-only transaction with COMMIT", exc_info=True)


def init_app(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's own teardown, so it runs before the session is closed.
    app.teardown_appcontext(end_read_only_transaction)
