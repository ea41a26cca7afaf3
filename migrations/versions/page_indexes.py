"""An index the case page needs at city scale: the re-consultations of a case

Revision ID: page_indexes
Revises: rate_limit_counters
"""
from alembic import op

revision = 'page_indexes'
down_revision = 'rate_limit_counters'
branch_labels = None
depends_on = None


def upgrade():
    # The case page asks for the later episodes of every case it shows (else a scan of all cases).
    op.create_index('ix_cases_previous_case_id', 'cases', ['previous_case_id'])


def downgrade():
    op.drop_index('ix_cases_previous_case_id', table_name='cases')
