"""Partial covering indexes the worklist reads alone: open tasks by ward and holder, running cases by ward and state

Revision ID: worklist_indexes
Revises: page_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = 'worklist_indexes'
down_revision = 'page_indexes'
branch_labels = None
depends_on = None


def upgrade():
    # The worklist numbers, counts and pages the ward's open tasks (holder, role, due date, kind,
    # case, name, age) without visiting the table's pages, where they lie among the completed ones.
    op.create_index('ix_human_tasks_open_ward', 'human_tasks', ['ward', 'assignee_id'],
                    postgresql_include=['id', 'role', 'due_on', 'due_at', 'form_key', 'case_id', 'name', 'created_at'],
                    postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))
    # A supervisor's worklist counts the ward's running cases by state.
    op.create_index('ix_cases_open_ward_state', 'cases', ['ward', 'state'],
                    postgresql_where=sa.text("state <> 'closed'"), sqlite_where=sa.text("state <> 'closed'"))


def downgrade():
    op.drop_index('ix_cases_open_ward_state', table_name='cases')
    op.drop_index('ix_human_tasks_open_ward', table_name='human_tasks')
