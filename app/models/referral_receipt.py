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
    __table_args__ = (
        sa.UniqueConstraint("submitted_by_id", "idempotency_key", name="uq_referral_receipts_idempotency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ward: Mapped[str] = mapped_column(sa.String(32), index=True)
    from_section: Mapped[str] = mapped_column(sa.String(32))
    slip_date: Mapped[date]
    consent_to_refer: Mapped[bool]
    # referral_slip (連絡票) or pa_discontinuation (生活保護廃止時 情報提供票)
    kind: Mapped[str] = mapped_column(sa.String(32), default="referral_slip", server_default="referral_slip")
    # API retries: the same sender and key give back the first receipt; request_hash tells a reuse apart.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(128))
    request_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # PA slip without consent: the special reason and the section chief who approved it.
    special_reason: Mapped[str | None] = mapped_column(sa.Text)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form_submissions.id"))
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
