"""How a request's database transaction ends when the code did not end it itself.

Flask-SQLAlchemy closes the session after each request, which rolls back whatever is open.
For a transaction that only read, a rollback and a commit have the same effect, but psycopg
treats every ROLLBACK as a reason to forget all its prepared statements; since nearly every
page view is such a read-only transaction, PostgreSQL would parse and plan every statement of
every task step afresh.  So a transaction that wrote nothing is committed at the end of the
request; one that wrote anything without committing (a failed step, a form with errors after
an autoflush) is still rolled back, as is any request that ended in an unhandled error.

It also decides whether a pooled PostgreSQL connection is still usable when a request takes it,
without a round trip (see `_closed_while_idle`).
"""

from __future__ import annotations

import logging
import select

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

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


def _server_has_spoken(fileno: int) -> bool:
    # poll, not select: a worker with many open files may hold this socket above select's limit.
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))


def _closed_while_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    """Refuse a pooled connection the server has closed or spoken on while it sat idle.

    A connection resting in the pool has nothing to read: the server sends nothing unasked.  When
    the server goes away (a restart, a terminated backend, an idle timeout) it sends its
    goodbye and closes the socket, which then reads as ready.  That check costs no round trip;
    the pool's pre-ping sent a query and waited for it on every request.  Raising
    DisconnectionError makes the pool drop this connection and hand out another.
    """
    try:
        fileno = dbapi_connection.fileno()
    except Exception:  # already closed on our side
        raise DisconnectionError("the connection is closed") from None
    if _server_has_spoken(fileno):
        raise DisconnectionError("the server closed or spoke on an idle connection")


def watch_pool(engine: Engine) -> None:
    """On PostgreSQL, check taken connections without a round trip (instead of the pre-ping)."""
    if engine.dialect.name == "postgresql" and not event.contains(engine, "checkout", _closed_while_idle):
        event.listen(engine, "checkout", _closed_while_idle)


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
    with app.app_context():
        for engine in db.engines.values():
            watch_pool(engine)
