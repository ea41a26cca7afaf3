"""Programme rules by effective date; notices and their document-number series

Revision ID: rules_and_notices
Revises: idempotency_records
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'rules_and_notices'
down_revision = 'idempotency_records'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table(
        'rule_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('effective_from', sa.Date(), nullable=False),
        sa.Column('content', JSON, nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name', 'effective_from', name='uq_rule_versions_name_from'),
    )
    op.create_table(
        'notice_series',
        sa.Column('ward', sa.String(length=32), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('last_serial', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('ward', 'fiscal_year'),
    )
    op.create_table(
        'notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('ward', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('serial', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=64), nullable=False),
        sa.Column('issued_on', sa.Date(), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('decision_ref', sa.String(length=64), nullable=True),
        sa.Column('plan_version', sa.Integer(), nullable=True),
        sa.Column('recipient', sa.String(length=16), nullable=False),
        sa.Column('addressee', sa.String(length=200), nullable=True),
        sa.Column('content', JSON, nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
        sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ward', 'fiscal_year', 'serial', name='uq_notices_ward_year_serial'),
    )
    op.create_index('ix_notices_case_id', 'notices', ['case_id'])
    op.create_index('ix_notices_decision_ref', 'notices', ['decision_ref'])


def downgrade():
    op.drop_index('ix_notices_decision_ref', table_name='notices')
    op.drop_index('ix_notices_case_id', table_name='notices')
    op.drop_table('notices')
    op.drop_table('notice_series')
    op.drop_table('rule_versions')
