from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import JSONType, utcnow


class ProcessVersion(db.Model):
    """An immutable deployment: the BPMN files and the form definitions they use."""

    __tablename__ = "process_versions"
    __table_args__ = (
        sa.UniqueConstraint("process_id", "version"),
        sa.UniqueConstraint("process_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    # Large and immutable: loaded only when needed (parsed specs and forms are cached).
    bpmn_files: Mapped[dict] = mapped_column(JSONType, deferred=True)  # {filename: xml}
    form_definitions: Mapped[dict] = mapped_column(JSONType, deferred=True)  # {form_key: definition dict}
    note: Mapped[str | None] = mapped_column(sa.Text)
    deployed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    deployed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    deployed_by = relationship("User")


@sa.event.listens_for(ProcessVersion, "before_update")
def _versions_are_immutable(mapper, connection, target) -> None:
    # A case runs on the exact BPMN and forms of its version; a changed version would change
    # running cases behind their back.  Deploy a new version instead.
    raise ValueError(f"process version {target.process_id} v{target.version} is immutable")


class ProcessDraft(db.Model):
    """A diagram a process owner is editing in the modeler; becomes a version when deployed."""

    __tablename__ = "process_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(sa.String(64), index=True)
    filename: Mapped[str] = mapped_column(sa.String(128))  # the BPMN file of the version it replaces
    base_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process_versions.id"))
    bpmn_xml: Mapped[str] = mapped_column(sa.Text)
    note: Mapped[str | None] = mapped_column(sa.Text)
    saved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    saved_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    deployed_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("process_versions.id"))
