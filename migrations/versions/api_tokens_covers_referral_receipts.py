"""API tokens, cover assignments (代理) and referral receipts

Revision ID: api_tokens_covers_referrals
Revises: 5fa15e9cd9c8
Create Date: 2026-11-26 17:45:00

"""
from alembic import op
import sqlalchemy as sa

revision = "api_tokens_covers_referrals"
down_revision = "5fa15e9cd9c8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_api_tokens_user_id", ["user_id"], unique=False)

    op.create_table(
        "cover_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward", sa.String(length=32), nullable=False),
        sa.Column("absent_user_id", sa.Integer(), nullable=False),
        sa.Column("cover_user_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["absent_user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["cover_user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cover_assignments", schema=None) as batch_op:
        batch_op.create_index("ix_cover_assignments_absent_user_id", ["absent_user_id"], unique=False)
        batch_op.create_index("ix_cover_assignments_cover_dates", ["cover_user_id", "starts_on", "ends_on"],
                              unique=False)

    op.create_table(
        "referral_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward", sa.String(length=32), nullable=False),
        sa.Column("from_section", sa.String(length=32), nullable=False),
        sa.Column("slip_date", sa.Date(), nullable=False),
        sa.Column("consent_to_refer", sa.Boolean(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["submission_id"], ["form_submissions.id"]),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("referral_receipts", schema=None) as batch_op:
        batch_op.create_index("ix_referral_receipts_case_id", ["case_id"], unique=False)
        batch_op.create_index("ix_referral_receipts_ward", ["ward"], unique=False)


def downgrade():
    op.drop_table("referral_receipts")
    op.drop_table("cover_assignments")
    op.drop_table("api_tokens")
