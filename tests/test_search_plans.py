"""Case search planned for the words asked: the same hits however many searches came before, and
the planner setting it asks for ends with the request's transaction."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.lifecycle.versions import current_version
from app.models import Case, Person


def _case(name: str, kana: str, ward: str = "naka") -> int:
    person = Person(name=name, kana=kana)
    db.session.add(person)
    db.session.flush()
    case = Case(ward=ward, state="in_support", opened_on=date(2027, 4, 1), person_id=person.id,
                process_version_id=current_version().id, workflow_blob=b"")
    db.session.add(case)
    db.session.flush()
    return case.id


def _hits(client, q: str) -> list[int]:
    page = client.get("/cases/search", query_string={"q": q})
    assert page.status_code == 200
    return [int(n) for n in re.findall(r'href="/cases/(\d+)"', page.get_data(as_text=True))]


def test_a_rare_name_after_many_common_ones_finds_the_same_cases(app, login, staff):
    common = [_case(f"山田 {i}", f"ヤマダ {i}") for i in range(8)]
    rare = _case("高橋 美紀", "タカハシ ミキ")
    _case("山田 他区", "ヤマダ タク", ward="minami")  # another ward's: never shown
    db.session.commit()
    client = login(staff["caseworker"])
    # More than the driver's threshold for preparing a statement, so a cached plan would be in play.
    for _ in range(7):
        assert _hits(client, "ヤマダ") == sorted(common, reverse=True)
    for _ in range(7):
        assert _hits(client, "タカハシ ミキ") == [rare]
        assert _hits(client, "タカハシミキ") == [rare]


def test_the_planner_setting_ends_with_the_search(app, login, staff):
    _case("高橋 美紀", "タカハシ ミキ")
    db.session.commit()
    client = login(staff["caseworker"])
    if db.session.get_bind().dialect.name != "postgresql":
        assert _hits(client, "タカハシ")  # nothing to set; the search still answers
        return
    db.engine.dispose()  # the search's request then opens the pool's only connection
    backends = []

    def note_backend(conn, _cursor, statement, *_args):
        if "set_config" in statement:
            backends.append(conn.connection.dbapi_connection.info.backend_pid)

    sa.event.listen(db.engine, "before_cursor_execute", note_backend)
    try:
        assert _hits(client, "タカハシ")
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note_backend)
    with db.engine.connect() as connection:  # that same connection, back in the pool
        assert [connection.connection.dbapi_connection.info.backend_pid] == backends
        assert connection.exec_driver_sql("SHOW plan_cache_mode").scalar() == "auto"
