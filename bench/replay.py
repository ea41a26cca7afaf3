"""Auditor history at scale: render the history page and replay-verify a case with 300 events.

Builds one case whose monitoring loop ran long enough for its audit chain to hold 300 events,
then times (median of N runs):

* ``GET /audit/cases/<id>``: the auditor's timeline page, through Flask's test client (this
  includes writing and committing its own ``case_history_viewed`` event);
* ``replay_case(case)``: `tsunagi audit replay CASE --verify` without the CLI around it.

Targets: history page ≤ 100 ms, replay ≤ 200 ms, at the median on PostgreSQL.  In the same run,
the engine-only time of the steps the replay re-runs: at each step of one replay, a copy of the
workflow goes through ``dump() → engine.load(blob) → the step → dump()`` as a step of the app
would (each timed, the copy thrown away); their sum is the engine-only cost of the case, and
replay-verify should take at most 1.5× that.
Reported, never asserted.  The wall time is the figure; the CPU time of this process is printed
next to it because on a shared machine other processes' load stretches the wall time (the
database's own work is in the wall time only).  Run by hand::

    .venv/bin/python -m bench.replay [--db sqlite|postgresql|both] [--events 300] [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime

from app import create_app
from app.extensions import db
from app.models import AuditEvent, Case, HumanTask

PG_ADMIN_URL = os.environ.get("TSUNAGI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-password-1"
DAY = date(2026, 11, 26)
TARGETS_MS = {"history page": 100.0, "replay --verify": 200.0}
TARGET_REPLAY_RATIO = 1.5


def engine_only_steps_ms(app, case_id: int) -> tuple[float, int]:
    """Sum of the engine-only steps (load → act → dump) a replay of the case re-runs, and their count."""
    from app.engine import RunningWorkflow
    from app.services.audit.replay import replay_case

    engine = app.extensions["tsunagi.engine"]
    acts = ("complete_task", "send_message", "fire_due_timers")
    originals = {name: getattr(RunningWorkflow, name) for name in acts}
    spent = [0.0, 0]

    def timed_copy(name):
        original = originals[name]

        def act(workflow, *args, **kwargs):
            blob = workflow.dump()  # the state a step would find in the row
            started = time.perf_counter()
            copy = engine.load(blob)
            original(copy, *args, **kwargs)
            copy.dump()
            spent[0] += time.perf_counter() - started
            spent[1] += 1
            return original(workflow, *args, **kwargs)
        return act

    for name in acts:
        setattr(RunningWorkflow, name, timed_copy(name))
    try:
        with app.app_context():
            result = replay_case(db.session.get(Case, case_id))
            assert result.ok, result.divergences
            db.session.remove()
    finally:
        for name, original in originals.items():
            setattr(RunningWorkflow, name, original)
    return spent[0] * 1000, spent[1]


@contextmanager
def database(kind: str):
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"
        return
    import psycopg

    name = f"tsunagi_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL)
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_case(events: int) -> int:
    """One case through intake → plan → meeting → delivery, then monitoring until `events` events."""
    from app.services.cases.opening import start_case
    from app.services.cases.tasks import submit_task
    from app.services.demo.samples import sample
    from app.services.processes import deploy_from_disk
    from app.services.staff.users import create_user

    deploy_from_disk()
    db.session.commit()
    cw = create_user("bench_cw", ["caseworker"], "naka", PASSWORD, display_name="cw")
    lead = create_user("bench_lead", ["lead_worker"], "naka", PASSWORD, display_name="lead")
    budget = create_user("bench_budget", ["budget_advisor"], "naka", PASSWORD, display_name="budget")
    create_user("bench_auditor", ["auditor"], None, PASSWORD, display_name="auditor")
    case_id = start_case("naka", cw).id

    def complete(form_key, user, **overrides):
        task = db.session.query(HumanTask).filter_by(case_id=case_id, status="open", form_key=form_key).first()
        data = sample(form_key, DAY, **overrides)
        if form_key == "service_record":
            data["service"] = task.instance_item
        submit_task(task.id, data, user)

    complete("intake", cw)
    complete("assessment", cw)
    complete("plan", cw, statutory_services=["household_budget"])
    complete("coordination_meeting", lead)
    complete("service_record", budget)
    while db.session.query(AuditEvent).filter_by(case_id=case_id).count() < events:
        complete("monitoring", cw)
    return case_id


def median_ms(action, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process, in ms."""
    action()  # warm-up: templates, spec cache, pool
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def run(kind: str, events: int, runs: int) -> dict[str, tuple[float, float]]:
    with database(kind) as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
        app.extensions["tsunagi.clock"] = lambda: datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
        with app.app_context():
            db.create_all()
            case_id = build_case(events)
            count = db.session.query(AuditEvent).filter_by(case_id=case_id).count()
            db.session.remove()
        client = app.test_client()
        client.post("/login", data={"username": "bench_auditor", "password": PASSWORD})

        def history_page():
            with app.app_context():
                response = client.get(f"/audit/cases/{case_id}")
                assert response.status_code == 200, response.status_code

        def replay_verify():
            from app.services.audit.replay import replay_case

            with app.app_context():
                result = replay_case(db.session.get(Case, case_id))
                assert result.ok, result.divergences

        figures = {"history page": median_ms(history_page, runs), "replay --verify": median_ms(replay_verify, runs)}
        engine_runs = [engine_only_steps_ms(app, case_id) for _ in range(max(3, runs // 4))]
        engine_ms, engine_steps = statistics.median(ms for ms, _ in engine_runs), engine_runs[0][1]
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    print(f"{kind}: case with {count} events")
    for name, (wall, cpu) in figures.items():
        print(f"  {name:<16} median {wall:7.1f} ms   (target ≤ {TARGETS_MS[name]:.0f} ms)   cpu {cpu:6.1f} ms")
    ratio = figures["replay --verify"][0] / engine_ms
    print(f"  engine-only steps re-run: {engine_steps}, sum {engine_ms:.1f} ms (median of {len(engine_runs)}); "
          f"replay-verify / engine-only = {ratio:.2f}× (target ≤ {TARGET_REPLAY_RATIO}×: "
          f"{'met' if ratio <= TARGET_REPLAY_RATIO else 'NOT met'})")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="postgresql")
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    for kind in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        run(kind, args.events, args.runs)


if __name__ == "__main__":
    main()
