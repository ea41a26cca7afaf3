from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

from .base import utcnow


class ReferralReceipt(db.Model):
    """A 連絡票 received through the API.

    Without the person's consent only the anonymous tally (section, date, ward) is kept: no
    name, no case.  With consent the slip itself is a FormSubmission of the case it opened.
    """

    __tablename__ = "referral_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward: Mapped[str] = mapped_column(sa.String(32), index=True)
    from_section: Mapped[str] = mapped_column(sa.String(32))
    slip_date: Mapped[date]
    consent_to_refer: Mapped[bool]
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
