"""Staff email addresses for notification mail

Revision ID: users_email
Revises: privacy_risk_flags
"""
import sqlalchemy as sa
from alembic import op

revision = 'users_email'
down_revision = 'privacy_risk_flags'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')
