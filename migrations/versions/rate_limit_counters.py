"""Login attempt counters in the database, shared by every web worker and host

Revision ID: rate_limit_counters
Revises: person_search_trigram
"""
import sqlalchemy as sa
from alembic import op

revision = 'rate_limit_counters'
down_revision = 'person_search_trigram'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_counters',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index('ix_rate_limit_counters_expires_at', 'rate_limit_counters', ['expires_at'])


def downgrade():
    op.drop_index('ix_rate_limit_counters_expires_at', table_name='rate_limit_counters')
    op.drop_table('rate_limit_counters')
