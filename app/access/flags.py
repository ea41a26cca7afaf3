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
        for flags in _household_flags(household_id):
            if flags.protected:
                return flags
    return own


def _household_flags(household_id: int) -> list[PersonFlags]:
    """Flags of every registered member of the household (set before or after they joined it)."""
    members = db.session.query(HouseholdMember.person_id).filter(
        HouseholdMember.household_id == household_id, HouseholdMember.person_id.is_not(None))
    return (db.session.query(PersonFlags)
            .filter((PersonFlags.household_id == household_id) | PersonFlags.person_id.in_(members))
            .order_by(PersonFlags.id).all())


def is_protected(case: Case | None) -> bool:
    """True when the case's person (or household) carries a DV or address-secrecy flag.

    Meeting packs and case reviews must leave such a case out; providers, navigators, referrers
    and meetings never see its address.
    """
    flags = flags_of(case)
    return bool(flags and flags.protected)


def protected_person_ids(person_ids) -> set[int]:
    """Which of these persons carry protection (own flag or a protected household member's): the
    answer of `is_protected` for each of their cases, in two queries for a whole list page (and one
    per household found)."""
    ids = {pid for pid in person_ids if pid is not None}
    if not ids:
        return set()
    protected = {flags.person_id for flags in db.session.query(PersonFlags).filter(PersonFlags.person_id.in_(ids))
                 if flags.protected}
    shielded: dict[int, bool] = {}  # household → one of its members is protected (households are few)
    for person_id, household_id in db.session.query(HouseholdMember.person_id, HouseholdMember.household_id).filter(
            HouseholdMember.person_id.in_(ids - protected)):  # a person belongs to one household at most
        if household_id not in shielded:
            shielded[household_id] = any(flags.protected for flags in _household_flags(household_id))
        if shielded[household_id]:
            protected.add(person_id)
    return protected


def address_allowed(basis: str | None, roles: set[str]) -> bool:
    """Whether a viewer on this basis (with these roles) may see a protected case's address."""
    return basis in ADDRESS_BASES or bool(roles & ADDRESS_ROLES)


def is_named_abuser(household_id: int | None, *texts: str | None) -> bool:
    """Whether what names a person about to be linked into the household (name, kana, a description)
    names the abuser a member's flag records."""
    if household_id is None:
        return False
    given = [_norm(text) for text in texts if _norm(text)]
    abusers = [_norm(name) for flags in _household_flags(household_id)
               for name in (flags.abuser_name, flags.abuser_kana) if _norm(name)]
    return any(abuser in text for abuser in abusers for text in given)


def _norm(text: str | None) -> str:
    return "".join((text or "").split())
