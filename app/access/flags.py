"""DV and address secrecy (住所秘匿): whether a case is protected, for every door to ask.

A flag set on the person protects every episode of that person, and through the household
record every episode of the other members of the same household.  With it set: the address is
shown only to the owner of the case (worker, supervisors, cover) and public assistance; meetings
never review the case; pages that show the person carry a non-disclosure banner.
"""

from __future__ import annotations

from app.extensions import db
from app.models import Case, HouseholdMember, PersonFlags

# Who still sees the address of a protected case (the matrix: worker, 主任/係長, 生活保護CW).
ADDRESS_BASES = {"own_case", "ward_desk", "supervisor", "cover"}
ADDRESS_ROLES = {"pa_worker"}


def _household_of(person_id: int) -> int | None:
    member = db.session.query(HouseholdMember.household_id).filter_by(person_id=person_id).first()
    return member[0] if member else None


def flags_of(case: Case | None) -> PersonFlags | None:
    """The flags governing this case: the person's own, else a protected household member's."""
    if case is None or case.person_id is None:
        return None
    own = db.session.query(PersonFlags).filter_by(person_id=case.person_id).first()
    if own is not None and own.protected:
        return own
    household_id = _household_of(case.person_id)
    if household_id is not None:
        shared = (db.session.query(PersonFlags).filter_by(household_id=household_id)
                  .order_by(PersonFlags.id).all())
        for flags in shared:
            if flags.protected:
                return flags
    return own


def is_protected(case: Case | None) -> bool:
    """True when the case's person (or household) carries a DV or address-secrecy flag.

    Meeting packs and case reviews must leave such a case out; providers, navigators, referrers
    and meetings never see its address.
    """
    flags = flags_of(case)
    return bool(flags and flags.protected)


def address_allowed(basis: str | None, roles: set[str]) -> bool:
    """Whether a viewer on this basis (with these roles) may see a protected case's address."""
    return basis in ADDRESS_BASES or bool(roles & ADDRESS_ROLES)


def is_named_abuser(household_id: int | None, name: str | None, kana: str | None) -> bool:
    """Whether a person about to be linked into the household is the abuser a flag names."""
    if household_id is None or not (name or kana):
        return False
    rows = db.session.query(PersonFlags).filter_by(household_id=household_id).all()
    wanted = {_norm(name), _norm(kana)} - {""}
    return any({_norm(r.abuser_name), _norm(r.abuser_kana)} & wanted for r in rows)


def _norm(text: str | None) -> str:
    return "".join((text or "").split())
