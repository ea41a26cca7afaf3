from datetime import datetime, timezone

import sqlalchemy as sa


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# JSON that becomes JSONB on PostgreSQL.
JSONType = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
