"""The pages at city scale: 100,000 cases and 2,000,000 audit events on PostgreSQL.

Seeds a fresh database quickly (COPY): 18 wards, each with caseworkers, a lead worker and a section
chief; 100,000 persons with kana names; 100,000 cases opened over five years, in every state (the
older ones mostly closed), each with the workflow blob, the open task and the completed tasks of a
real case in that state (made once through the step pipeline); 2,000,000 audit events on properly
hashed chains (a few long cases of ``--long-events`` events each, the rest spread over all cases).
Then times, through Flask's test client (each request in its own app context, as in production):

* worklist: a caseworker's ``GET /``;
* ward caseload: a lead worker's ``GET /`` (every open task of the ward);
* case page: ``GET /cases/<id>`` for random cases of the caseworker's ward;
* kana search: ``GET /cases/search?q=<kana>`` for a few kana fragments;
* long-case timeline: the auditor's ``GET /audit/cases/<id>`` of a long case;
* ``tsunagi audit verify --case <id>`` of a long case, and ``tsunagi audit verify`` of everything
  (once, with its progress bar).

p50 / p95 over ``--runs`` requests each; target p95 ≤ 50 ms for every page.  ``--explain`` prints
the plans of the pages' main queries.  ``--keep`` leaves the database (its URL is printed) for
looking at plans by hand.  Run by hand::

    .venv/bin/python -m bench.scale [--cases 100000] [--events 2000000] [--runs 30] [--explain]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import secrets
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from app import create_app
from app.codes import WARDS
from app.extensions import db
from app.gc_tuning import tune_long_running_process
from app.models import Case, HumanTask, Person, User
from app.models.audit import GENESIS_HASH, canonical_payload
from bench.task_cycle import CLOCK, LIFECYCLE, FreshContextClient

PG_ADMIN_URL = os.environ.get("TSUNAGI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-password-1"
TARGET_P95_MS = 50.0
CASEWORKERS_PER_WARD = 6
LONG_CASES = 10
FIRST_DAY = date(2021, 12, 1)  # five years of cases up to the bench day
KANA_FAMILY = ["ヤマダ", "スズキ", "タナカ", "サトウ", "タカハシ", "ワタナベ", "イトウ", "ナカムラ", "コバヤシ",
               "カトウ", "ヨシダ", "ヤマモト", "サイトウ", "マツモト", "イノウエ", "キムラ", "ハヤシ", "シミズ",
               "ヤマザキ", "モリ", "アベ", "イケダ", "ハシモト", "ヤマシタ", "イシカワ", "ナカジマ", "マエダ", "フジタ",
               "オガワ", "ゴトウ"]
KANJI_FAMILY = ["山田", "鈴木", "田中", "佐藤", "高橋", "渡辺", "伊藤", "中村", "小林", "加藤",
                "吉田", "山本", "斉藤", "松本", "井上", "木村", "林", "清水", "山崎", "森",
                "阿部", "池田", "橋本", "山下", "石川", "中島", "前田", "藤田", "小川", "後藤"]
KANA_GIVEN = ["タロウ", "ハナコ", "イチロウ", "ユウコ", "ケンタ", "ミキ", "ショウタ", "アヤ", "ダイスケ", "メグミ",
              "ヒロシ", "ナオミ", "タクヤ", "サクラ", "マコト", "ユイ", "ツヨシ", "カオリ", "リョウ", "ミホ"]
KANJI_GIVEN = ["太郎", "花子", "一郎", "裕子", "健太", "美紀", "翔太", "彩", "大輔", "恵",
               "浩", "直美", "拓也", "さくら", "誠", "結衣", "剛", "香織", "亮", "美穂"]
SEARCHES = ["ヤマダ", "タカハシ ミキ", "スズキタロウ", "ハシモト", "コバヤシ ユ"]


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------------------------
# Templates: a real case walked through the step pipeline, snapshotted in every state


def state_templates(app) -> list[dict]:
    """(state, workflow blob, open tasks) after each step of the bench lifecycle."""
    from app.services.cases.opening import start_case
    from app.services.cases.tasks import submit_task

    users = {who: db.session.query(User).filter_by(username=f"tpl_{who}").one()
             for who in ("cw", "lead", "budget", "navi")}
    case_id = start_case("naka", users["cw"]).id
    snapshots = [_snapshot(case_id)]
    for step in LIFECYCLE:
        task = (db.session.query(HumanTask).filter_by(case_id=case_id, status="open", form_key=step.form_key)
                .filter(HumanTask.instance_item == step.instance_item if step.instance_item else True).first())
        submit_task(task.id, step.data(), users[step.who])
        snapshots.append(_snapshot(case_id))
    return snapshots


def _snapshot(case_id: int) -> dict:
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    columns = [c.name for c in HumanTask.__table__.columns if c.name not in ("id", "case_id", "engine_task_id")]
    tasks = [{name: getattr(task, name) for name in columns}
             for task in db.session.query(HumanTask).filter_by(case_id=case_id, status="open")]
    return {"state": case.state, "blob": case.workflow_blob, "tasks": tasks,
            "closure_reason": case.closure_reason}


# ---------------------------------------------------------------------------------------------
# Seeding


def _users(app) -> dict[str, dict[str, list[int]]]:
    """Staff of every ward; one hashed password copied to all (hashing 150 of them would take minutes)."""
    from app.services.staff.users import create_user

    for who, role in (("cw", "caseworker"), ("lead", "lead_worker"), ("budget", "budget_advisor"),
                      ("navi", "employment_navigator")):
        create_user(f"tpl_{who}", [role], "naka", PASSWORD, display_name=f"tpl_{who}")
    create_user("auditor", ["auditor"], None, PASSWORD, display_name="監査担当")
    template = dict(db.session.execute(User.__table__.select().where(User.username == "tpl_cw")).mappings().one())
    template.pop("id")
    rows = []
    for ward in WARDS:
        for index in range(CASEWORKERS_PER_WARD):
            rows.append({**template, "username": f"{ward}_cw{index}", "display_name": f"{ward} 相談員{index}",
                         "role_codes": "caseworker", "ward": ward})
        rows.append({**template, "username": f"{ward}_lead", "display_name": f"{ward} 主任",
                     "role_codes": "lead_worker", "ward": ward})
        rows.append({**template, "username": f"{ward}_chief", "display_name": f"{ward} 係長",
                     "role_codes": "section_chief", "ward": ward})
    db.session.execute(User.__table__.insert(), rows)
    db.session.commit()
    staff: dict[str, dict[str, list[int]]] = {}
    for user_id, ward, roles in db.session.query(User.id, User.ward, User.role_codes):
        staff.setdefault(ward, {}).setdefault(roles, []).append(user_id)
    return staff


def _copy(conn, table: str, columns: list[str], rows) -> int:
    count = 0
    with conn.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _state_for(opened_on: date, rng: random.Random, templates: list[dict]) -> dict:
    """Older cases are mostly closed; recent ones spread over the states of a running case."""
    age_days = (CLOCK.date() - opened_on).days
    closed_share = 0.97 if age_days > 540 else 0.85 if age_days > 365 else 0.5 if age_days > 120 else 0.15
    if rng.random() < closed_share:
        return templates[-1]
    return rng.choice(templates[:-1])


def seed(url: str, app, cases: int, events: int, long_events: int, seed_value: int = 19) -> dict:
    import psycopg

    rng = random.Random(seed_value)
    started = time.perf_counter()
    with app.app_context():
        db.create_all()
        from app.services.processes import deploy_from_disk

        version, _created = deploy_from_disk(None, "bench")
        db.session.commit()
        staff = _users(app)
        templates = state_templates(app)
        version_id = version.id
        # The template case's rows stay: the pages below never look at it.
        base_case = db.session.query(db.func.max(Case.id)).scalar()
        base_person = db.session.query(db.func.max(Person.id)).scalar() or 0
        db.session.remove()
    log(f"  users and {len(templates)} state templates: {time.perf_counter() - started:.1f} s")

    plain = url
    first_case, first_person = base_case + 1, base_person + 1
    days = (CLOCK.date() - FIRST_DAY).days
    wards = list(WARDS)
    case_rows, person_rows, task_rows = [], [], []
    per_case = []  # (case_id, ward, opened_at, assigned_to, events wanted)
    for index in range(cases):
        case_id, person_id = first_case + index, first_person + index
        ward = rng.choice(wards)
        opened_on = FIRST_DAY + timedelta(days=int(days * (index / cases)) + rng.randint(0, 3))
        opened_on = min(opened_on, CLOCK.date())
        template = _state_for(opened_on, rng, templates)
        caseworker = rng.choice(staff[ward]["caseworker"])
        family, given = rng.randrange(len(KANA_FAMILY)), rng.randrange(len(KANA_GIVEN))
        person_rows.append((person_id, f"{KANJI_FAMILY[family]} {KANJI_GIVEN[given]}",
                            f"{KANA_FAMILY[family]} {KANA_GIVEN[given]}",
                            date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 55)), f"{ward}区 {index}番地",
                            None, False, CLOCK))
        closed = template["state"] == "closed"
        closed_on = min(opened_on + timedelta(days=rng.randint(60, 500)), CLOCK.date()) if closed else None
        opened_at = datetime.combine(opened_on, datetime.min.time(), UTC) + timedelta(hours=1)
        case_rows.append((case_id, ward, person_id, template["state"], caseworker, opened_on, closed_on,
                          template["closure_reason"] if closed else None, "walk_in", None, False, None, version_id,
                          template["blob"], None, 1, opened_at, opened_at))
        for task in template["tasks"]:
            due_on = CLOCK.date() + timedelta(days=rng.randint(-10, 30))
            assignee = caseworker if "caseworker" in task["role"].split() else None
            task_rows.append({**task, "case_id": case_id, "engine_task_id": str(uuid.UUID(int=rng.getrandbits(128))),
                              "ward": ward, "assignee_id": assignee, "due_on": due_on, "created_at": opened_at})
        for number in range(4):  # the history of completed tasks every case has
            task_rows.append({**templates[1]["tasks"][0], "case_id": case_id, "status": "completed",
                              "engine_task_id": str(uuid.UUID(int=rng.getrandbits(128))), "ward": ward,
                              "assignee_id": caseworker, "due_on": opened_on + timedelta(days=14 * number),
                              "created_at": opened_at, "completed_at": opened_at + timedelta(days=number),
                              "completed_by_id": caseworker})
        per_case.append((case_id, ward, opened_at, caseworker))
    columns = [c.name for c in HumanTask.__table__.columns if c.name != "id"]
    with psycopg.connect(plain) as conn:
        _copy(conn, "persons", ["id", "name", "kana", "birth_date", "address", "phone",
                                "receiving_public_assistance", "created_at"], person_rows)
        _copy(conn, "cases", ["id", "ward", "person_id", "state", "assigned_to_id", "opened_on", "closed_on",
                              "closure_reason", "route", "previous_case_id", "reconsultation", "household_member_id",
                              "process_version_id", "workflow_blob", "next_timer_at", "lock_version", "created_at",
                              "updated_at"], case_rows)
        _copy(conn, "human_tasks", columns,
              ([json.dumps(row[c], ensure_ascii=False) if c == "prefill" and row[c] is not None else row[c]
                for c in columns] for row in task_rows))
        conn.commit()
        log(f"  {cases} persons, cases and {len(task_rows)} tasks: {time.perf_counter() - started:.1f} s")
        long_ids = [row[0] for row in rng.sample(per_case, LONG_CASES)]
        written = _copy(conn, "audit_events", ["case_id", "event_type", "actor_id", "at", "data", "chain", "sequence",
                                               "prev_hash", "hash"],
                        _events(per_case, set(long_ids), events, long_events, rng))
        conn.commit()
        log(f"  {written} audit events: {time.perf_counter() - started:.1f} s")
        for table in ("persons", "cases", "human_tasks", "audit_events"):
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    log(f"  seeded and analysed in {time.perf_counter() - started:.1f} s")
    return {"long_cases": long_ids, "first_case": first_case, "cases": cases}


EVENT_KINDS = ("task_completed", "case_state_changed", "case_viewed", "task_claimed", "note_added")


def _events(per_case, long_ids: set[int], total: int, long_events: int, rng: random.Random):
    """Every case's chain, hashed as the app hashes it; long cases get `long_events` each."""
    budget = total - long_events * len(long_ids)
    others = len(per_case) - len(long_ids)
    base, extra = divmod(budget, others)
    for position, (case_id, _ward, opened_at, actor) in enumerate(per_case):
        count = long_events if case_id in long_ids else base + (1 if position < extra else 0)
        chain = f"case:{case_id}"
        prev_hash = GENESIS_HASH
        for sequence in range(1, count + 1):
            event_type = "case_opened" if sequence == 1 else EVENT_KINDS[sequence % len(EVENT_KINDS)]
            at = opened_at + timedelta(hours=sequence * 7)
            data = {"form_key": "monitoring", "task_id": sequence} if event_type == "task_completed" else \
                {"what": "case_page", "basis": "assigned"} if event_type == "case_viewed" else {"n": sequence}
            digest = hashlib.sha256(canonical_payload(chain, sequence, prev_hash, event_type, case_id, actor, at,
                                                      data).encode()).hexdigest()
            yield (case_id, event_type, actor, at, json.dumps(data, ensure_ascii=False), chain, sequence, prev_hash,
                   digest)
            prev_hash = digest


# ---------------------------------------------------------------------------------------------
# Measuring


def _p(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(share * len(ordered))) - 1)]


def _login(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, (username, response.status_code)
    return client


def _time_get(client, paths: list[str], runs: int) -> list[float]:
    client.get(paths[0])  # warm-up: templates, statements
    times = []
    for index in range(runs):
        path = paths[index % len(paths)]
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:500])
    return times


def measure(app, info: dict, runs: int, rng: random.Random) -> list[tuple[str, str, list[float]]]:
    ward = "kohoku"
    with app.app_context():
        busiest = (db.session.query(HumanTask.assignee_id, db.func.count())
                   .filter(HumanTask.status == "open", HumanTask.ward == ward, HumanTask.assignee_id.isnot(None))
                   .group_by(HumanTask.assignee_id).order_by(db.func.count().desc()).first())
        caseworker = db.session.get(User, busiest[0]).username
        ward_cases = [case_id for (case_id,) in db.session.query(Case.id).filter(Case.ward == ward)
                      .order_by(db.func.random()).limit(runs)]
        open_in_ward = db.session.query(HumanTask).filter_by(status="open", ward=ward).count()
        db.session.remove()
    log(f"  {caseworker}: {busiest[1]} open tasks; ward {ward}: {open_in_ward} open tasks")
    info["caseworker"] = caseworker
    cw, lead, auditor = _login(app, caseworker), _login(app, f"{ward}_lead"), _login(app, "auditor")
    long_case = info["long_cases"][0]
    tune_long_running_process()  # the pages are measured in a process tuned as a gunicorn worker is
    results = [
        ("worklist (caseworker)", f"GET / as {caseworker}", _time_get(cw, ["/"], runs)),
        ("ward caseload (lead worker)", f"GET / as {ward}_lead", _time_get(lead, ["/"], runs)),
        ("case page", "GET /cases/<id>, random cases of the ward", _time_get(lead, [f"/cases/{c}" for c in ward_cases],
                                                                               runs)),
        ("kana search", "GET /cases/search?q=…", _time_get(lead, [f"/cases/search?q={q}" for q in SEARCHES], runs)),
        ("long-case timeline, first page", f"GET /audit/cases/{long_case} (auditor)",
         _time_get(auditor, [f"/audit/cases/{c}" for c in info["long_cases"]], runs)),
        ("long-case timeline, a late page", f"GET /audit/cases/{long_case}?from=801",
         _time_get(auditor, [f"/audit/cases/{c}?from=801" for c in info["long_cases"]], runs)),
    ]
    from app.services.audit.chain import verify

    one = []
    with app.app_context():
        for index in range(max(5, runs // 3)):
            started = time.perf_counter()
            report = verify(info["long_cases"][index % len(info["long_cases"])])
            one.append((time.perf_counter() - started) * 1000)
            assert report.ok, report.problems
        db.session.remove()
    results.append(("audit verify --case (long case)", f"{report.events} events", one))
    return results


def verify_all(app) -> tuple[float, str]:
    runner = app.test_cli_runner()
    with app.app_context():
        started = time.perf_counter()
        result = runner.invoke(args=["audit", "verify"])
        seconds = time.perf_counter() - started
        db.session.remove()
    if result.exit_code != 0 or result.exception:
        raise RuntimeError(f"audit verify failed: {result.exit_code} {result.output[-2000:]}") from result.exception
    return seconds, result.output.strip().splitlines()[-1]


def explain(app, info: dict) -> None:
    """EXPLAIN ANALYZE of each page's main query, captured as the page sends it (same parameters)."""
    import sqlalchemy as sa

    caseworker = info.get("caseworker", "kohoku_cw0")
    with app.app_context():
        ward_case = db.session.query(db.func.max(Case.id)).filter(Case.ward == "kohoku").scalar()
        db.session.remove()
    pages = (("worklist", caseworker, "/", "FROM human_tasks"),
             ("ward caseload", "kohoku_lead", "/", "FROM human_tasks"),
             ("case page, later episodes", "kohoku_lead", f"/cases/{ward_case}",
              "cases.previous_case_id ="),
             ("kana search", "kohoku_lead", f"/cases/search?q={SEARCHES[0]}", "LIKE"),
             ("long-case timeline", "auditor", f"/audit/cases/{info['long_cases'][0]}?from=801",
              "ORDER BY audit_events.sequence"))
    with app.app_context():
        engine = db.engine
    for label, username, path, marker in pages:
        client = _login(app, username)
        captured: list = []

        def capture(conn, cursor, statement, params, context, executemany, marker=marker, captured=captured):
            if marker in statement and statement.lstrip().upper().startswith("SELECT"):
                captured.append((statement, params))

        sa.event.listen(engine, "before_cursor_execute", capture)
        try:
            client.get(path)
        finally:
            sa.event.remove(engine, "before_cursor_execute", capture)
        if not captured:
            log(f"\n-- {label}: no query matched {marker!r}")
            continue
        statement, params = captured[0]
        with engine.connect() as connection:
            plan = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", params).scalars().all()
        log(f"\n-- {label} ({path} as {username})\n" + "\n".join(plan))


def _app(url: str):
    app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_urlsafe(48), "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "SESSION_IDLE_MINUTES": 10**7, "SESSION_MAX_HOURS": 10**6})
    app.extensions["tsunagi.clock"] = lambda: CLOCK
    app.test_client_class = FreshContextClient
    return app


def _new_database() -> tuple[str, str]:
    import psycopg

    name = f"tsunagi_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL)


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def baseline(cases: int, long_events: int, runs: int) -> list[tuple[str, str, list[float]]]:
    """The same pages on a small database, measured in the same run: what the volume adds."""
    name, url = _new_database()
    try:
        app = _app(url)
        log(f"baseline: seeding {cases} cases and {cases * 20} audit events")
        info = seed(url, app, cases, cases * 20, long_events)
        results = measure(app, info, runs, random.Random(7))
        _dispose(app)
        return results
    finally:
        _drop(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--long-events", type=int, default=1_000, help="events of each long case")
    parser.add_argument("--baseline-cases", type=int, default=1_000,
                        help="the same pages on a database this small, in the same run (0: skip)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave the database")
    parser.add_argument("--url", help="measure an already seeded database (from --keep) instead")
    parser.add_argument("--skip-verify-all", action="store_true")
    args = parser.parse_args(argv)
    name, url = (args.url.rsplit("/", 1)[1], args.url) if args.url else _new_database()
    try:
        app = _app(url)
        info_file = f"/tmp/{name}.json"
        if args.url:
            with open(info_file) as handle:
                info = json.load(handle)
        else:
            log(f"seeding {args.cases} cases and {args.events} audit events into {url}")
            info = seed(url, app, args.cases, args.events, args.long_events)
            with open(info_file, "w") as handle:
                json.dump(info, handle)
        results = measure(app, info, args.runs, random.Random(7))
        small = baseline(args.baseline_cases, args.long_events, args.runs) if args.baseline_cases else None
        print(f"\n{'page':<34} {'p50 ms':>8} {'p95 ms':>8}  {'target p95 ≤ 50 ms':<19}"
              + (f" {'small p50':>9} {'small p95':>9} {'p50 ×':>6}" if small else "") + "   what")
        for index, (label, what, times) in enumerate(results):
            p95 = _p(times, 0.95)
            verdict = "met" if p95 <= TARGET_P95_MS or label.startswith("audit verify") else "NOT met"
            line = f"{label:<34} {statistics.median(times):>8.1f} {p95:>8.1f}  {verdict:<19}"
            if small:
                small_times = small[index][2]
                line += (f" {statistics.median(small_times):>9.1f} {_p(small_times, 0.95):>9.1f}"
                         f" {statistics.median(times) / statistics.median(small_times):>6.2f}")
            print(f"{line}   {what}")
        if small:
            print(f"(small: the same pages on {args.baseline_cases} cases, measured in this run)")
        if not args.skip_verify_all:
            seconds, last = verify_all(app)
            print(f"{'audit verify (every chain)':<34} {seconds:>8.1f} s   {last}")
        if args.explain:
            explain(app, info)
        _dispose(app)
    finally:
        if not args.keep and not args.url:
            _drop(name)
        elif not args.url:
            print(f"kept: {url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
