"""The monthly statistics at city scale: 100,000 cases and 2,000,000 audit events on PostgreSQL.

Seeds a fresh database with COPY (cases over two fiscal years in the 18 wards, their intake
records, first plans and re-plans with their coordination meetings, job and income outcomes,
hand-offs to public assistance, closures, and 20 audit events a case), stores the counted facts
with `tsunagi stats rebuild`'s function, then times (p50 / p95 over N runs):

* ``GET /stats/`` as the city bureau (stats_viewer): 18 wards + the city over 12 months, with the
  city's monthly table and its charts;
* ``GET /api/v1/stats/monthly?from=…&to=…``: every ward and the city, 12 months (19 × 12 rows);
* ``GET /stats/`` as a ward's section chief (one ward, 12 months);
* `tsunagi stats verify` (the full recount against the stored counters), once.

Target: the page and the API well under a second.  Reported, never asserted.  Run by hand::

    .venv/bin/python -m bench.stats [--cases 100000] [--events-per-case 20] [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import statistics
import time
from datetime import UTC, date, datetime, timedelta

PG_ADMIN_URL = os.environ.get("TSUNAGI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-password-1"
START = date(2026, 4, 1)  # cases over FY2026 and FY2027; the timed range is FY2027
DAYS = 730
ROUTES = ("self", "self", "self", "family", "city_section", "city_section", "external_agency", "outreach", "other")
REASONS = ("goal_achieved", "referred_out", "public_assistance", "lost_contact", "moved", "person_request", "other")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def seed(url: str, cases: int, events_per_case: int) -> dict:
    """COPY the records in; returns how many rows of each."""
    import psycopg

    from app.codes import WARDS
    from app.extensions import db
    from app.models import ProcessVersion, User

    wards = list(WARDS)
    version_id = db.session.query(ProcessVersion.id).scalar()
    actor_id = db.session.query(User.id).filter_by(username="bench_cw").scalar()
    db.session.commit()
    rng = random.Random(17)
    counts = dict.fromkeys(("cases", "form_submissions", "plan_versions", "coordination_meetings", "outcomes",
                            "closures", "audit_events"), 0)
    now = datetime(2028, 4, 1, tzinfo=UTC)
    with psycopg.connect(re.sub(r"^postgresql\+\w+://", "postgresql://", url)) as conn, conn.cursor() as cur:
        plans, meetings, outcomes, closures, submissions = [], [], [], [], []
        submission_id = plan_id = meeting_id = 0
        with cur.copy("COPY cases (id, ward, state, opened_on, closed_on, closure_reason, route, reconsultation,"
                      " process_version_id, workflow_blob, lock_version, created_at, updated_at) FROM STDIN") as copy:
            for case_id in range(1, cases + 1):
                ward = wards[case_id % len(wards)]
                received = START + timedelta(days=rng.randrange(DAYS))
                route = rng.choice(ROUTES)
                closed = received + timedelta(days=rng.randrange(30, 300)) if rng.random() < 0.35 else None
                reason = rng.choice(REASONS) if closed else None
                copy.write_row((case_id, ward, "closed" if closed else "in_support", received, closed, reason,
                                route, rng.random() < 0.08, version_id, b"", 1, now, now))
                submission_id += 1
                submissions.append((submission_id, case_id, "intake",
                                    json.dumps({"received_on": received.isoformat(), "route": route}), actor_id))
                if rng.random() < 0.45:  # a plan approved 2–8 weeks after intake, sometimes planned again
                    for number, offset in enumerate((rng.randrange(14, 56), rng.randrange(120, 240)), start=1):
                        if number == 2 and rng.random() > 0.2:
                            break
                        submission_id += 1
                        plan_id += 1
                        meeting_id += 1
                        held = received + timedelta(days=offset)
                        submissions.append((submission_id, case_id, "plan", "{}", actor_id))
                        plans.append((plan_id, case_id, number, "目標", "[]", rng.random() < 0.6, held, held,
                                       True, "approved", submission_id, now))
                        meetings.append((meeting_id, case_id, plan_id, held, "[]", "approve", submission_id, now))
                    if rng.random() < 0.3:
                        submission_id += 1
                        kind = "employed" if rng.random() < 0.7 else "income_increased"
                        on = received + timedelta(days=rng.randrange(60, 400))
                        submissions.append((submission_id, case_id, "outcome",
                                            json.dumps({"kind": kind, "on": on.isoformat()}), actor_id))
                        outcomes.append((len(outcomes) + 1, case_id, kind, on, True, 160000, submission_id,
                                         actor_id, now))
                if closed:
                    if reason == "public_assistance":
                        submission_id += 1
                        submissions.append((submission_id, case_id, "pa_handoff",
                                            json.dumps({"handed_over_at": f"{closed.isoformat()}T10:00:00+09:00"}),
                                            actor_id))
                    closures.append((len(closures) + 1, case_id, closed, reason, now))
        counts["cases"] = cases
        with cur.copy("COPY form_submissions (id, case_id, form_key, data, actor_id, form_version, submitted_at)"
                      " FROM STDIN") as copy:
            for row in submissions:
                copy.write_row((*row, 1, now))
        counts["form_submissions"] = len(submissions)
        with cur.copy("COPY plan_versions (id, case_id, number, overall_goal, statutory_services,"
                      " employment_support_target, plan_from, plan_to, signed_by_person, status, submission_id,"
                      " created_at) FROM STDIN") as copy:
            for row in plans:
                copy.write_row(row)
        counts["plan_versions"] = len(plans)
        with cur.copy("COPY coordination_meetings (id, case_id, plan_version_id, held_on, attendees, decision,"
                      " submission_id, created_at) FROM STDIN") as copy:
            for row in meetings:
                copy.write_row(row)
        counts["coordination_meetings"] = len(meetings)
        with cur.copy("COPY outcomes (id, case_id, kind, \"on\", permanent, monthly_income, submission_id,"
                      " recorded_by_id, created_at) FROM STDIN") as copy:
            for row in outcomes:
                copy.write_row(row)
        counts["outcomes"] = len(outcomes)
        with cur.copy("COPY closures (id, case_id, closed_on, reason, created_at) FROM STDIN") as copy:
            for row in closures:
                copy.write_row(row)
        counts["closures"] = len(closures)
        # The audit chains: volume for the tables the statistics share the database with (hashes are
        # placeholders; `tsunagi audit verify` is not what this bench measures).
        cur.execute("SELECT coalesce(max(id), 0) FROM audit_events")
        first_event = cur.fetchone()[0]
        event_types = ("case_opened", "task_completed", "case_state_changed", "case_viewed", "action_run")
        with cur.copy("COPY audit_events (id, case_id, event_type, actor_id, at, data, chain, sequence,"
                      " prev_hash, hash) FROM STDIN") as copy:
            event_id = first_event
            for case_id in range(1, cases + 1):
                for sequence in range(1, events_per_case + 1):
                    event_id += 1
                    copy.write_row((event_id, case_id, event_types[sequence % len(event_types)], actor_id, now,
                                    "{}", f"case:{case_id}", sequence, "0" * 64, f"{event_id:064x}"))
        counts["audit_events"] = event_id - first_event
        for table in ("cases", "form_submissions", "plan_versions", "coordination_meetings", "outcomes",
                      "closures", "audit_events"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        cur.execute("ANALYZE")
    return counts


def timed(client, path: str, runs: int, headers: dict | None = None) -> list[float]:
    times = []
    for _ in range(runs + 1):
        started = time.perf_counter()
        response = client.get(path, headers=headers or {})
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:500])
        times.append(elapsed)
    return times[1:]  # the first warms templates and the statement cache


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events-per-case", type=int, default=20)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)

    import psycopg

    from app import create_app
    from app.extensions import db
    from app.services.processes import deploy_from_disk
    from app.services.staff.tokens import issue_token
    from app.services.staff.users import create_user
    from app.services.statistics import facts
    from app.services.statistics.settings import set_population
    from app.services.statistics.verify import differences

    name = f"tsunagi_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL unreachable ({exc}); nothing measured")
        return 1
    url = re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL)
    try:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                          "WTF_CSRF_ENABLED": False})
        app.extensions["tsunagi.clock"] = lambda: datetime(2028, 3, 31, 3, 0, tzinfo=UTC)
        with app.app_context():
            db.create_all()
            deploy_from_disk()
            db.session.commit()
            create_user("bench_cw", ["caseworker"], "naka", PASSWORD, display_name="cw")
            viewer = create_user("bench_bureau", ["stats_viewer"], None, PASSWORD, display_name="bureau")
            create_user("bench_chief", ["section_chief"], "naka", PASSWORD, display_name="chief")
            from app.codes import WARDS

            for ward in WARDS:
                set_population(ward, 207_000, date(2026, 4, 1))
            set_population("city", 3_728_124, date(2026, 4, 1))
            started = time.perf_counter()
            counts = seed(url, args.cases, args.events_per_case)
            print(f"seeded in {time.perf_counter() - started:.1f} s: "
                  + ", ".join(f"{table} {n:,}" for table, n in counts.items()))
            started = time.perf_counter()
            stored = facts.rebuild()
            db.session.commit()
            # As autovacuum would after a load: statistics and the visibility map (index-only scans).
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE stat_facts")
            print(f"stat_facts rebuilt from the records in {time.perf_counter() - started:.1f} s: {stored:,} rows")
            token, _ = issue_token(viewer.username)
            db.session.commit()

        span = "from=2027-04&to=2028-03"
        client = app.test_client()
        client.post("/login", data={"username": "bench_bureau", "password": PASSWORD})
        chief = app.test_client()
        chief.post("/login", data={"username": "bench_chief", "password": PASSWORD})
        results = {
            "page, city bureau (18 wards + city, 12 months)": timed(client, f"/stats/?{span}", args.runs),
            "API /stats/monthly (18 wards + city, 12 months)": timed(
                client, f"/api/v1/stats/monthly?{span}", args.runs, {"Authorization": f"Bearer {token}"}),
            "page, ward section chief (1 ward, 12 months)": timed(chief, f"/stats/?{span}", args.runs),
            "xlsx, city bureau (19 sheets)": timed(client, f"/stats/monthly.xlsx?{span}", max(args.runs // 4, 3)),
        }
        print(f"{'request':52} {'p50 ms':>8} {'p95 ms':>8}")
        for label, times in results.items():
            print(f"{label:52} {statistics.median(times):8.1f} {percentile(times, 0.95):8.1f}")
        with app.app_context():
            started = time.perf_counter()
            found = differences()
            print(f"stats verify (full recount): {time.perf_counter() - started:.1f} s, "
                  f"{'ok' if not found else f'{len(found)} differences'}")
            db.session.remove()
            db.engine.dispose()
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
