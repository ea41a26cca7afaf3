"""家計改善支援 budget tables and arrears (家計再生プラン), 子どもの学習・生活支援 referrals

Revision ID: service_budget_children
Revises: service_programs
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

revision = 'service_budget_children'
down_revision = 'service_programs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('arrears_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('handling', sa.String(length=16), nullable=False),
    sa.Column('monthly_installment', sa.Integer(), nullable=True),
    sa.Column('agreed_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['form_submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('arrears_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrears_items_case_id'), ['case_id'], unique=False)

    op.create_table('budget_tables',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('income', JSON, nullable=False),
    sa.Column('spending', JSON, nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['form_submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('budget_tables', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_tables_case_id'), ['case_id'], unique=False)

    op.create_table('child_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('child_name', sa.String(length=128), nullable=False),
    sa.Column('grade', sa.String(length=32), nullable=False),
    sa.Column('guardian_mobile', sa.String(length=32), nullable=False),
    sa.Column('provider_name', sa.String(length=200), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['household_members.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['form_submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('child_referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_referrals_case_id'), ['case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('child_referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_referrals_case_id'))

    op.drop_table('child_referrals')
    with op.batch_alter_table('budget_tables', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_tables_case_id'))

    op.drop_table('budget_tables')
    with op.batch_alter_table('arrears_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arrears_items_case_id'))

    op.drop_table('arrears_items')
