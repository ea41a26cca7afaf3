from datetime import UTC, datetime

import sqlalchemy as sa


def utcnow() -> datetime:
    return datetime.now(UTC)


# JSON that becomes JSONB on PostgreSQL.
JSONType = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
