"""The statutory services: eligibility (standard / 準ずる者), 就労準備 terms, shelter stays,
DV and address-secrecy flags, third-party inquiries

Revision ID: service_programs
Revises: rules_and_notices
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'service_programs'
down_revision = 'rules_and_notices'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('person_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('dv', sa.Boolean(), nullable=False),
    sa.Column('address_secrecy', sa.Boolean(), nullable=False),
    sa.Column('safe_address', sa.String(length=256), nullable=True),
    sa.Column('abuser_name', sa.String(length=128), nullable=True),
    sa.Column('abuser_kana', sa.String(length=128), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=False),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], ),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id')
    )
    with op.batch_alter_table('person_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_flags_household_id'), ['household_id'], unique=False)

    op.create_table('inquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('caller_claims', sa.Text(), nullable=False),
    sa.Column('asked', sa.Text(), nullable=False),
    sa.Column('answer', sa.String(length=64), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['form_submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inquiries_case_id'), ['case_id'], unique=False)

    op.create_table('service_eligibilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=64), nullable=False),
    sa.Column('basis', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('figures', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['form_submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('service_eligibilities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_eligibilities_case_id'), ['case_id'], unique=False)

    op.create_table('shelter_stays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('admitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('facility', sa.String(length=200), nullable=False),
    sa.Column('income', sa.Integer(), nullable=False),
    sa.Column('assets', sa.Integer(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('figures', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('certified_by_id', sa.Integer(), nullable=False),
    sa.Column('planned_end', sa.Date(), nullable=False),
    sa.Column('pa_right_told_on', sa.Date(), nullable=True),
    sa.Column('pa_choice', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('discharged_on', sa.Date(), nullable=True),
    sa.Column('destination', sa.String(length=200), nullable=True),
    sa.Column('end_reason', sa.String(length=32), nullable=True),
    sa.Column('regional_visits', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['certified_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['form_submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shelter_stays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shelter_stays_case_id'), ['case_id'], unique=False)

    op.create_table('shelter_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stay_id', sa.Integer(), nullable=False),
    sa.Column('previous_end', sa.Date(), nullable=False),
    sa.Column('new_end', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['stay_id'], ['shelter_stays.id'], ),
    sa.ForeignKeyConstraint(['submission_id'], ['form_submissions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('shelter_extensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shelter_extensions_stay_id'), ['stay_id'], unique=False)

    # 就労準備 terms 2.. rest on the same plan version: one decision per service and version no more.
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("support_decisions_plan_version_id_service_key", "support_decisions", type_="unique")
    else:
        with op.batch_alter_table("support_decisions", schema=None,
                                  naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"}) as batch_op:
            batch_op.drop_constraint("uq_support_decisions_plan_version_id", type_="unique")
    with op.batch_alter_table('support_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='decided', nullable=False))
        batch_op.add_column(sa.Column('term', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('eligibility_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('eligibility_basis', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('exception_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('exception_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.alter_column('meeting_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_foreign_key('fk_support_decisions_eligibility', 'service_eligibilities',
                                    ['eligibility_id'], ['id'])
        batch_op.create_foreign_key('fk_support_decisions_exception_by', 'users', ['exception_by_id'], ['id'])
        batch_op.create_foreign_key('fk_support_decisions_decided_by', 'users', ['decided_by_id'], ['id'])



def downgrade():
    with op.batch_alter_table('support_decisions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_support_decisions_decided_by', type_='foreignkey')
        batch_op.drop_constraint('fk_support_decisions_exception_by', type_='foreignkey')
        batch_op.drop_constraint('fk_support_decisions_eligibility', type_='foreignkey')
        batch_op.alter_column('meeting_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('ended_on')
        batch_op.drop_column('notice_id')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('exception_by_id')
        batch_op.drop_column('exception_reason')
        batch_op.drop_column('eligibility_basis')
        batch_op.drop_column('eligibility_id')
        batch_op.drop_column('term')
        batch_op.drop_column('status')
        batch_op.create_unique_constraint('uq_support_decisions_plan_version_id', ['plan_version_id', 'service'])

    with op.batch_alter_table('shelter_extensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shelter_extensions_stay_id'))

    op.drop_table('shelter_extensions')
    with op.batch_alter_table('shelter_stays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shelter_stays_case_id'))

    op.drop_table('shelter_stays')
    with op.batch_alter_table('service_eligibilities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_eligibilities_case_id'))

    op.drop_table('service_eligibilities')
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inquiries_case_id'))

    op.drop_table('inquiries')
    with op.batch_alter_table('person_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_flags_household_id'))

    op.drop_table('person_flags')
