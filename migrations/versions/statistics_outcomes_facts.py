"""Statistics: job and income outcomes, counted facts, ward populations, national targets by fiscal year

Revision ID: statistics_outcomes_facts
Revises: service_budget_children
"""
import sqlalchemy as sa
from alembic import op

revision = "statistics_outcomes_facts"
down_revision = 'service_budget_children'
branch_labels = None
depends_on = None

INITIAL_TARGETS = (
    {"fiscal_year": 2015, "new_consultations": 20, "plans": 10, "employment_support_targets": 6},
    {"fiscal_year": 2016, "new_consultations": 22, "plans": 11, "employment_support_targets": 7},
    {"fiscal_year": 2017, "new_consultations": 24, "plans": 12, "employment_support_targets": 7},
)


def upgrade():
    op.create_table(
        "outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("monthly_income", sa.Integer(), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["submission_id"], ["form_submissions.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "kind", "on", name="uq_outcomes_case_kind_on"),
    )
    op.create_index("ix_outcomes_case_id", "outcomes", ["case_id"])
    op.create_table(
        "stat_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("ward", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=40), nullable=True),
        sa.Column("of_which_plan", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stat_facts_case_id", "stat_facts", ["case_id"])
    op.create_index("ix_stat_facts_month_ward_indicator", "stat_facts",
                    ["month", "ward", "indicator", "detail", "of_which_plan"])
    op.create_table(
        "ward_populations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ward", sa.String(length=32), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["set_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ward", "as_of", name="uq_ward_populations_ward_as_of"),
    )
    targets = op.create_table(
        "stat_targets",
        sa.Column("fiscal_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("new_consultations", sa.Numeric(6, 1), nullable=False),
        sa.Column("plans", sa.Numeric(6, 1), nullable=False),
        sa.Column("employment_support_targets", sa.Numeric(6, 1), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("fiscal_year"),
    )
    op.bulk_insert(targets, list(INITIAL_TARGETS))


def downgrade():
    op.drop_table("stat_targets")
    op.drop_table("ward_populations")
    op.drop_index("ix_stat_facts_month_ward_indicator", table_name="stat_facts")
    op.drop_index("ix_stat_facts_case_id", table_name="stat_facts")
    op.drop_table("stat_facts")
    op.drop_index("ix_outcomes_case_id", table_name="outcomes")
    op.drop_table("outcomes")
