"""Trigram indexes for case search by name and kana (PostgreSQL), so it does not read every person

Revision ID: person_search_trigram
Revises: meetings_support_regular
"""
from alembic import op

revision = 'person_search_trigram'
down_revision = 'meetings_support_regular'
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_persons_name_trgm", "name"),
    ("ix_persons_kana_trgm", "kana"),
    ("ix_persons_name_compact_trgm", "replace(name, ' ', '')"),
    ("ix_persons_kana_compact_trgm", "replace(kana, ' ', '')"),
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        # Plain indexes elsewhere (the search does not use them); the expression ones are PostgreSQL's.
        op.create_index("ix_persons_name_trgm", "persons", ["name"])
        op.create_index("ix_persons_kana_trgm", "persons", ["kana"])
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in _INDEXES:
        op.execute(f"CREATE INDEX {name} ON persons USING gin ({expression} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        op.drop_index("ix_persons_kana_trgm", table_name="persons")
        op.drop_index("ix_persons_name_trgm", table_name="persons")
        return
    for name, _expression in _INDEXES:
        op.drop_index(name, table_name="persons")
