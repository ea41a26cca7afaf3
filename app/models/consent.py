from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import JSONType, utcnow

# ``kind``: ``referral`` covers only the 連絡票 and the reply to its sender; ``intake`` is the
# consent signed with the 申込 (相談受付・申込票); ``pa_discontinuation`` covers the 情報提供票.
CONSENT_KINDS = ("referral", "intake", "pa_discontinuation")


class Consent(db.Model):
    """The person's consent to share, as a record: who gave it, when, on which form, for what.

    Given by the person only (a family member cannot consent for an adult). Withdrawal sets
    ``withdrawn_on``: sharing stops from then on, what was shared before stays recorded.
    Each episode needs its own consent (``case_id``); a slip-only consent may have no case yet.
    """

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    given_by: Mapped[str] = mapped_column(sa.String(32), default="person")
    given_on: Mapped[date]
    form: Mapped[str] = mapped_column(sa.String(64))
    scopes: Mapped[list] = mapped_column(JSONType)
    # {"allowed": bool, "with_roles": [role codes]}
    tax_sharing: Mapped[dict] = mapped_column(JSONType)
    exclusions: Mapped[list] = mapped_column(JSONType)
    withdrawn_on: Mapped[date | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdrawal_note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    person = relationship("Person")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None
