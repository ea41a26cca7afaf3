from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import JSONType, utcnow


class HumanTask(db.Model):
    """Projection of a workflow user task, for worklists; written with the workflow blob."""

    __tablename__ = "human_tasks"
    __table_args__ = (
        sa.Index("ix_human_tasks_open", "status", "ward", "role"),
        # The worklist numbers, counts and pages a ward's open tasks by holder, role and due date
        # (the meeting queue by age) from this index alone (an index-only scan on PostgreSQL):
        # open tasks are a few among the years of completed ones, spread over the whole table.
        sa.Index("ix_human_tasks_open_ward", "ward", "assignee_id",
                 postgresql_include=["id", "role", "due_on", "due_at", "form_key", "case_id", "name", "created_at"],
                 postgresql_where=sa.text("status = 'open'"), sqlite_where=sa.text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    engine_task_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    bpmn_id: Mapped[str] = mapped_column(sa.String(128))
    name: Mapped[str] = mapped_column(sa.String(256))
    form_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    role: Mapped[str] = mapped_column(sa.String(128))  # space-separated candidate roles
    ward: Mapped[str] = mapped_column(sa.String(32))
    case_state: Mapped[str | None] = mapped_column(sa.String(32))
    instance_item: Mapped[str | None] = mapped_column(sa.String(64))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")  # open, completed, cancelled
    due_on: Mapped[date | None] = mapped_column(index=True)
    # A deadline within the day (e.g. a high-risk flag's acknowledgement within 1 hour).
    due_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    prefill: Mapped[dict | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    case = relationship("Case")
    assignee = relationship("User", foreign_keys=[assignee_id])
    completed_by = relationship("User", foreign_keys=[completed_by_id])

    @property
    def roles(self) -> set[str]:
        return set(self.role.split())


class TaskDraft(db.Model):
    """Typed-but-not-submitted values, kept per task and user; never read as a record."""

    __tablename__ = "task_drafts"
    __table_args__ = (sa.UniqueConstraint("human_task_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    human_task_id: Mapped[int] = mapped_column(sa.ForeignKey("human_tasks.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    values: Mapped[dict] = mapped_column(JSONType)
    saved_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
