"""Per-user session generation: logout, password change and deactivation end every session

Revision ID: users_session_generation
Revises: users_email
"""
import sqlalchemy as sa
from alembic import op

revision = 'users_session_generation'
down_revision = 'users_email'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
