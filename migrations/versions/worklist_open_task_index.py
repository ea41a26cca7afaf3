"""A partial covering index of the open tasks by ward and holder: the worklist reads it alone

Revision ID: worklist_open_task_index
Revises: page_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = 'worklist_open_task_index'
down_revision = 'page_indexes'
branch_labels = None
depends_on = None


def upgrade():
    # The worklist numbers, counts and pages the ward's open tasks (holder, role, due date, kind,
    # case, name) without visiting the table's pages, where they lie among the completed ones.
    op.create_index('ix_human_tasks_open_ward', 'human_tasks', ['ward', 'assignee_id'],
                    postgresql_include=['id', 'role', 'due_on', 'due_at', 'form_key', 'case_id', 'name'],
                    postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'"))


def downgrade():
    op.drop_index('ix_human_tasks_open_ward', table_name='human_tasks')
