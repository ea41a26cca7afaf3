from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .base import utcnow

# ``status`` of a household member as a client of the desk: codes of app.codes.MEMBER_STATUSES
# (not_consented 未同意・未申込, consented, applied).


class Household(db.Model):
    """世帯: the people living together, as the desk knows them."""

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    ward: Mapped[str | None] = mapped_column(sa.String(32))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    members = relationship("HouseholdMember", back_populates="household", order_by="HouseholdMember.id")


class HouseholdMember(db.Model):
    """A member of a household.

    A member who has not consented has no ``person_id``: only what the consulting member said
    (relation, a short description) is kept in *their* household, nothing in the member's name.
    The member becomes a Person when they consent themselves.
    """

    __tablename__ = "household_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), unique=True)
    relation: Mapped[str] = mapped_column(sa.String(32))  # self, child, parent, spouse, sibling, other
    description: Mapped[str | None] = mapped_column(sa.String(256))
    status: Mapped[str] = mapped_column(sa.String(32), default="not_consented")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    household = relationship("Household", back_populates="members")
    person = relationship("Person")
