"""List pages ask about the protection of all their rows at once: the same answer as one case at a time."""

from __future__ import annotations

from types import SimpleNamespace

from app.access.flags import is_protected, protected_person_ids
from app.extensions import db
from app.models import Household, HouseholdMember, Person, PersonFlags


def test_protection_of_many_persons_is_what_is_protected_says_of_each(app, staff):
    people = [Person(name=f"保護 {i}", kana=f"ホゴ {i}") for i in range(6)]
    db.session.add_all(people)
    home, other = Household(ward="naka"), Household(ward="naka")
    db.session.add_all([home, other])
    db.session.flush()
    setter = staff["caseworker"].id
    # 0: own flag; 1: in the household of 2, whose flag is set; 3: a flag set to nothing;
    # 4: in a household nobody protects; 5: nothing at all.
    db.session.add_all([
        PersonFlags(person_id=people[0].id, dv=True, set_by_id=setter),
        HouseholdMember(household_id=home.id, person_id=people[1].id, relation="self"),
        HouseholdMember(household_id=home.id, person_id=people[2].id, relation="spouse"),
        PersonFlags(person_id=people[2].id, address_secrecy=True, set_by_id=setter),
        PersonFlags(person_id=people[3].id, set_by_id=setter),
        HouseholdMember(household_id=other.id, person_id=people[4].id, relation="self"),
    ])
    db.session.flush()
    one_by_one = {p.id for p in people if is_protected(SimpleNamespace(person_id=p.id))}
    assert one_by_one == {people[0].id, people[1].id, people[2].id}
    assert protected_person_ids([p.id for p in people] + [None]) == one_by_one
    assert protected_person_ids([]) == set()


def test_search_reads_protection_once_for_all_its_hits(app, staff, login, intake_case):
    """The search page's statements do not grow with its hits (protection and risk flags of all at once)."""
    import sqlalchemy as sa

    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def search_statements() -> tuple[int, int]:
        cw = login(staff["caseworker"])
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = cw.get("/cases/search", query_string={"q": "ケンサク"}).get_data(as_text=True)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return page.count("ケンサク タロウ"), len(statements)

    for _ in range(2):
        intake_case(person_name="検索 太郎", person_kana="ケンサク タロウ")
    two_hits = search_statements()
    for _ in range(3):
        intake_case(person_name="検索 太郎", person_kana="ケンサク タロウ")
    five_hits = search_statements()
    assert (two_hits[0], five_hits[0]) == (2, 5)
    assert two_hits[1] == five_hits[1]
