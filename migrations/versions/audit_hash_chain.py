"""Audit events: hash chain (chain, sequence, prev_hash, hash) and append-only trigger on PostgreSQL

Existing events are chained in id order before the columns become NOT NULL.  On PostgreSQL
a trigger then refuses UPDATE, DELETE and TRUNCATE on audit_events for every role.

Revision ID: audit_hash_chain
Revises: timers_notifications_deadlines
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.models.audit import (
    APPEND_ONLY_SQL,
    GENESIS_HASH,
    canonical_payload,
    chain_key,
    event_hash,
)

revision = "audit_hash_chain"
down_revision = "timers_notifications_deadlines"
branch_labels = None
depends_on = None

_events = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("case_id", sa.Integer),
    sa.column("event_type", sa.String),
    sa.column("actor_id", sa.Integer),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql")),
    sa.column("chain", sa.String),
    sa.column("sequence", sa.Integer),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing_events()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        for name, length in (("chain", 32), ("prev_hash", 64), ("hash", 64)):
            batch_op.alter_column(name, existing_type=sa.String(length=length), nullable=False)
        batch_op.alter_column("sequence", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint("uq_audit_events_chain_sequence", ["chain", "sequence"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in APPEND_ONLY_SQL:
            op.execute(statement)


def _chain_existing_events():
    bind = op.get_bind()
    heads: dict[str, tuple[int, str]] = {}
    rows = bind.execute(sa.select(_events).order_by(_events.c.id)).mappings().all()
    for row in rows:
        chain = chain_key(row["case_id"])
        last_sequence, prev_hash = heads.get(chain, (0, GENESIS_HASH))
        sequence = last_sequence + 1
        digest = event_hash(canonical_payload(chain, sequence, prev_hash, row["event_type"], row["case_id"],
                                              row["actor_id"], row["at"], row["data"] or {}))
        bind.execute(
            _events.update().where(_events.c.id == row["id"])
            .values(chain=chain, sequence=sequence, prev_hash=prev_hash, hash=digest)
        )
        heads[chain] = (sequence, digest)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_events_chain_sequence", type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("sequence")
        batch_op.drop_column("chain")
