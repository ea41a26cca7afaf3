"""Meetings: closure decided at the coordination meeting, meeting sessions, 支援会議, 定例支援調整会議, staff tasks

Revision ID: meetings_support_regular
Revises: statistics_outcomes_facts
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'meetings_support_regular'
down_revision = 'statistics_outcomes_facts'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table('support_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.String(length=32), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('convened_by_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['convened_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_support_meetings_ward', 'support_meetings', ['ward'], unique=False)
    op.create_table('support_meeting_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('agency', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['support_meetings.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_support_meeting_members_meeting_id', 'support_meeting_members', ['meeting_id'], unique=False)
    op.create_index('ix_support_meeting_members_user_id', 'support_meeting_members', ['user_id'], unique=False)
    op.create_table('support_meeting_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('source_agency', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('household_label', sa.String(length=100), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['meeting_id'], ['support_meetings.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_support_meeting_items_meeting_id', 'support_meeting_items', ['meeting_id'], unique=False)
    op.create_table('staff_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('support_meeting_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['support_meeting_id'], ['support_meetings.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_staff_tasks_case_id', 'staff_tasks', ['case_id'], unique=False)
    op.create_index('ix_staff_tasks_support_meeting_id', 'staff_tasks', ['support_meeting_id'], unique=False)
    op.create_index('ix_staff_tasks_open', 'staff_tasks', ['assignee_id', 'status'], unique=False)
    op.create_table('meeting_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.String(length=32), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('member_ids', JSON, nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_meeting_sessions_ward', 'meeting_sessions', ['ward'], unique=False)
    op.create_table('meeting_session_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('human_task_id', sa.Integer(), nullable=False),
    sa.Column('coordination_meeting_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['coordination_meeting_id'], ['coordination_meetings.id'], ),
    sa.ForeignKeyConstraint(['human_task_id'], ['human_tasks.id'], ),
    sa.ForeignKeyConstraint(['session_id'], ['meeting_sessions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'case_id')
    )
    op.create_index('ix_meeting_session_cases_session_id', 'meeting_session_cases', ['session_id'], unique=False)
    op.create_index('ix_meeting_session_cases_case_id', 'meeting_session_cases', ['case_id'], unique=False)
    op.create_table('regular_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ward', sa.String(length=32), nullable=False),
    sa.Column('quarter', sa.String(length=6), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('pack', JSON, nullable=False),
    sa.Column('minutes', JSON, nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_regular_meetings_ward', 'regular_meetings', ['ward'], unique=False)
    with op.batch_alter_table('coordination_meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=16), server_default='plan', nullable=False))
        batch_op.add_column(sa.Column('closure_reason', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('person_absence_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('support_meeting_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_cases_support_meeting_id', 'support_meetings', ['support_meeting_id'], ['id'])


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cases_support_meeting_id', type_='foreignkey')
        batch_op.drop_column('support_meeting_id')
    with op.batch_alter_table('coordination_meetings', schema=None) as batch_op:
        batch_op.drop_column('person_absence_reason')
        batch_op.drop_column('closure_reason')
        batch_op.drop_column('purpose')
    op.drop_table('regular_meetings')
    op.drop_table('meeting_session_cases')
    op.drop_table('meeting_sessions')
    op.drop_table('staff_tasks')
    op.drop_table('support_meeting_items')
    op.drop_table('support_meeting_members')
    op.drop_table('support_meetings')
