"""A Flask-Limiter store in the app's own database, so every worker and host counts together.

`TSUNAGI_RATELIMIT_STORAGE_URI=tsunagi+postgresql://user@host/db` (the app's `DATABASE_URL` with
``tsunagi+`` in front): login attempts are counted in the table ``rate_limit_counters``, one row per
limit key and fixed window, incremented with one upsert.  No Redis or memcached needed; the cost is
one short statement per login attempt, on its own connection (never inside a request's transaction).
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite

from app.models import RateLimitCounter

SCHEMES = ["tsunagi+postgresql", "tsunagi+sqlite"]
_TABLE = RateLimitCounter.__table__
_KEY, _COUNT, _EXPIRES = _TABLE.c.key, _TABLE.c.count, _TABLE.c.expires_at


def _engine_url(uri: str) -> str:
    url = uri[len("tsunagi+"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class DatabaseStorage(Storage):
    """Fixed-window counters (Flask-Limiter's default strategy) in ``rate_limit_counters``."""

    STORAGE_SCHEME = SCHEMES

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        self.engine = sa.create_engine(_engine_url(uri or ""), pool_pre_ping=True, pool_size=1, max_overflow=2)
        super().__init__(uri, wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        insert = (postgresql.insert(_TABLE) if self.engine.dialect.name == "postgresql" else sqlite.insert(_TABLE))
        statement = insert.values(key=key, count=amount, expires_at=now + expiry).on_conflict_do_update(
            index_elements=[_KEY],
            set_={"count": sa.case((_EXPIRES <= now, amount), else_=_COUNT + amount),
                  "expires_at": sa.case((_EXPIRES <= now, now + expiry), else_=_EXPIRES)},
        ).returning(_COUNT)
        with self.engine.begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            count = connection.execute(sa.select(_COUNT).where(_KEY == key, _EXPIRES > time.time())).scalar()
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        with self.engine.connect() as connection:
            expires = connection.execute(sa.select(_EXPIRES).where(_KEY == key)).scalar()
        return float(expires) if expires is not None else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(sa.delete(_TABLE)).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.delete(_TABLE).where(_KEY == key))
