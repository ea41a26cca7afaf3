"""住居確保給付金: applications (each with its own workflow), decisions, payments, reports, duty checks

Revision ID: housing_benefit
Revises: statistics_outcomes_facts

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

# revision identifiers, used by Alembic.
revision = 'housing_benefit'
down_revision = 'statistics_outcomes_facts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hb_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=False),
    sa.Column('data', JSON, nullable=False),
    sa.Column('computation', JSON, nullable=False),
    sa.Column('rule_label', sa.String(length=64), nullable=False),
    sa.Column('payee', sa.String(length=16), nullable=False),
    sa.Column('payee_name', sa.String(length=200), nullable=False),
    sa.Column('months_from', sa.String(length=7), nullable=True),
    sa.Column('months_to', sa.String(length=7), nullable=True),
    sa.Column('extensions', sa.Integer(), nullable=False),
    sa.Column('pending_extension', JSON, nullable=True),
    sa.Column('employment', JSON, nullable=True),
    sa.Column('process_version_id', sa.Integer(), nullable=False),
    sa.Column('workflow_blob', sa.LargeBinary(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['process_version_id'], ['process_versions.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['form_submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hb_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hb_applications_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hb_applications_status'), ['status'], unique=False)

    op.create_table('hb_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('reason_code', sa.String(length=32), nullable=True),
    sa.Column('reason_codes', JSON, nullable=False),
    sa.Column('reason_text', sa.Text(), nullable=True),
    sa.Column('months_from', sa.String(length=7), nullable=True),
    sa.Column('months_to', sa.String(length=7), nullable=True),
    sa.Column('effective_month', sa.String(length=7), nullable=True),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('computation', JSON, nullable=True),
    sa.Column('rule_label', sa.String(length=64), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('notice_id', sa.Integer(), nullable=True),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['hb_applications.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['form_submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hb_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hb_decisions_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hb_decisions_case_id'), ['case_id'], unique=False)

    op.create_table('hb_duty_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('compliant', sa.Boolean(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['hb_applications.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'month')
    )
    op.create_table('hb_duty_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('desk_interviews', sa.Integer(), nullable=False),
    sa.Column('hello_work_sessions', sa.Integer(), nullable=False),
    sa.Column('weeks_with_application', sa.Integer(), nullable=False),
    sa.Column('compliant', sa.Boolean(), nullable=False),
    sa.Column('rule_label', sa.String(length=64), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['hb_applications.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['form_submissions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'month')
    )
    with op.batch_alter_table('hb_duty_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hb_duty_records_case_id'), ['case_id'], unique=False)

    op.create_table('hb_income_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('incomes', JSON, nullable=False),
    sa.Column('counted_income', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['hb_applications.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['form_submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('hb_income_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hb_income_reports_application_id'), ['application_id'], unique=False)

    op.create_table('hb_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.String(length=32), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('payee', sa.String(length=16), nullable=False),
    sa.Column('payee_name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['hb_applications.id'], ),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['hb_decisions.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['decision_id'], ['hb_decisions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'month')
    )
    with op.batch_alter_table('hb_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hb_payments_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_hb_payments_month', ['month', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('hb_payments', schema=None) as batch_op:
        batch_op.drop_index('ix_hb_payments_month')
        batch_op.drop_index(batch_op.f('ix_hb_payments_case_id'))

    op.drop_table('hb_payments')
    with op.batch_alter_table('hb_income_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hb_income_reports_application_id'))

    op.drop_table('hb_income_reports')
    with op.batch_alter_table('hb_duty_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hb_duty_records_case_id'))

    op.drop_table('hb_duty_records')
    op.drop_table('hb_duty_checks')
    with op.batch_alter_table('hb_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hb_decisions_case_id'))
        batch_op.drop_index(batch_op.f('ix_hb_decisions_application_id'))

    op.drop_table('hb_decisions')
    with op.batch_alter_table('hb_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hb_applications_status'))
        batch_op.drop_index(batch_op.f('ix_hb_applications_case_id'))

    op.drop_table('hb_applications')
