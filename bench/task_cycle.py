"""Cost of one task step: the engine alone versus the whole HTTP request.

Walks the full lifecycle of tests/test_lifecycle.py (test a) N times, twice:

* engine-only: per step ``engine.load(blob) → complete_task → dump`` in memory, with the
  deployed BPMN (processes/*.bpmn) and the payload submit_task would hand the engine
  (the validated samples.sample data plus the handlers' workflow extras);
* full HTTP: the same steps as HTML form posts to ``POST /tasks/<id>`` through Flask's test
  client, each user logged in, the database behind it, CSRF off.

Run by hand::

    .venv/bin/python -m bench.task_cycle [--db sqlite|postgresql|both] [--cases N]

See bench/README.md for what each figure means.  Never asserts the target; only reports it.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import io
import os
import pstats
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from app import create_app
from app.engine import RunningWorkflow
from app.extensions import db
from app.gc_tuning import tune_long_running_process
from app.models import Case, HumanTask
from app.services.demo.samples import sample
from app.services.processes import deploy_from_disk, read_process_files
from app.services.staff.users import create_user
from tests.helpers import form_post

PG_ADMIN_URL = os.environ.get("TSUNAGI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TARGET_RATIO = 2.0
PASSWORD = "bench-password-1"
DAY = date(2026, 11, 26)  # the day tests/test_lifecycle.py works on
CLOCK = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
USERS = {  # role in the lifecycle -> (username, role code)
    "cw": ("bench_cw", "caseworker"),
    "lead": ("bench_lead", "lead_worker"),
    "budget": ("bench_budget", "budget_advisor"),
    "navi": ("bench_navi", "employment_navigator"),
}


@dataclass(frozen=True)
class Step:
    who: str  # key of USERS
    form_key: str
    instance_item: str | None = None
    overrides: dict = field(default_factory=dict)

    def data(self) -> dict:
        """The submission as tests/helpers.complete builds it."""
        data = sample(self.form_key, DAY, **self.overrides)
        if self.form_key == "service_record" and self.instance_item:
            data["service"] = self.instance_item
        return data


# tests/test_lifecycle.py::test_full_lifecycle_with_revision_delivery_monitoring_and_evaluation
LIFECYCLE = (
    Step("cw", "intake", overrides={"new_person": True}),  # every bench case is a new person
    Step("cw", "assessment"),
    Step("cw", "plan", overrides={"overall_goal": "第1版の目標"}),
    Step("lead", "coordination_meeting", overrides={"decision": "revise", "requested_changes": "就労目標を具体的に"}),
    Step("cw", "plan", overrides={"overall_goal": "第2版の目標"}),
    Step("lead", "coordination_meeting", overrides={"decision": "approve"}),
    Step("budget", "service_record", "household_budget"),
    Step("cw", "monitoring"),
    Step("budget", "service_record", "household_budget",
         {"status": "completed", "ended_on": "2026-12-20", "outcome": "家計表を作成し滞納を整理した"}),
    Step("navi", "service_record", "work_readiness",
         {"status": "completed", "ended_on": "2026-12-24", "outcome": "就職が決まった"}),
    # The app clock stands on 2026-11-26 and a contact date may not lie ahead of it.
    Step("cw", "monitoring", overrides={"contact_on": "2026-11-26", "next_monitoring_on": "2027-01-26"}),
    Step("cw", "evaluation"),
    Step("lead", "coordination_meeting", overrides={"decision": "close", "closure_reason": "goal_achieved"}),
)


# ---------------------------------------------------------------------------------------------
# Figures


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


@dataclass
class Result:
    label: str
    engine: list[float]
    full: list[float]
    engine_warm: list[float] = field(default_factory=list)
    commit: list[float] = field(default_factory=list)  # one durable one-row commit, alone


def print_per_step(r: Result) -> None:
    """Medians by step of the lifecycle: what a step costs besides the engine, by its size."""
    n = len(LIFECYCLE)
    print(f"\n{r.label}, by step (median over cases)")
    print(f"{'step':<42} {'engine':>9} {'warm':>9} {'full':>9} {'full-warm':>10} {'full/engine':>12}")
    for i, step in enumerate(LIFECYCLE):
        engine = statistics.median(r.engine[i::n]) * 1000
        warm = statistics.median(r.engine_warm[i::n]) * 1000 if r.engine_warm else float("nan")
        full = statistics.median(r.full[i::n]) * 1000
        name = f"{i + 1:>2} {step.form_key}" + (f" ({step.instance_item})" if step.instance_item else "")
        print(f"{name:<42} {engine:>7.2f}ms {warm:>7.2f}ms {full:>7.2f}ms {full - warm:>8.2f}ms "
              f"{full / engine:>11.2f}×")


def print_table(results: list[Result], per_step: bool = False) -> None:
    ms = 1000.0
    header = (f"{'database':<11} {'steps':>5} {'engine p50':>11} {'engine p90':>11} "
              f"{'full p50':>10} {'full p90':>10} {'full/engine':>12}  target ≤{TARGET_RATIO:g}×"
              f"  {'engine warm p50':>15} {'full/warm':>9}")
    print()
    print(header)
    print("-" * len(header))
    for r in results:
        e50, e90 = statistics.median(r.engine), percentile(r.engine, 90)
        f50, f90 = statistics.median(r.full), percentile(r.full, 90)
        ratio = f50 / e50
        verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
        w50 = statistics.median(r.engine_warm) if r.engine_warm else float("nan")
        print(f"{r.label:<11} {len(r.full):>5} {e50 * ms:>9.2f}ms {e90 * ms:>9.2f}ms "
              f"{f50 * ms:>8.2f}ms {f90 * ms:>8.2f}ms {ratio:>11.2f}×  {verdict:<10}"
              f"{w50 * ms:>13.2f}ms {f50 / w50:>8.2f}×")
    for r in results:
        if per_step:
            print_per_step(r)
    for r in results:
        if r.commit:
            print(f"{r.label}: a one-row INSERT and its durable COMMIT alone take p50 "
                  f"{statistics.median(r.commit) * ms:.2f} ms here (the disk's flush), which every full step "
                  f"pays once and the engine-only step never does")
    print()


def commit_floor(database_url: str, rounds: int = 200) -> list[float]:
    """Round trip of the smallest durable write: what any committed step costs at least."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    times = []
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_commit_floor (n integer)"))
            conn.commit()
            for n in range(rounds):
                started = time.perf_counter()
                conn.execute(sa.text("INSERT INTO bench_commit_floor VALUES (:n)"), {"n": n})
                conn.commit()
                times.append(time.perf_counter() - started)
            conn.execute(sa.text("DROP TABLE bench_commit_floor"))
            conn.commit()
    finally:
        engine.dispose()
    return times


# ---------------------------------------------------------------------------------------------
# The application and its database


@contextmanager
def database(kind: str) -> Iterator[str]:
    """A fresh, empty database URL, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="tsunagi-bench-") as folder:
            yield f"sqlite:///{os.path.join(folder, 'bench.sqlite3')}"
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


class FreshContextClient(FlaskClient):
    """Each request in its own app context (own `g`, own db session), as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(database_url: str) -> Flask:
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "bench-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
    })
    app.extensions["tsunagi.clock"] = lambda: CLOCK
    app.test_client_class = FreshContextClient
    return app


# ---------------------------------------------------------------------------------------------
# Engine only


class EngineBench:
    """The lifecycle straight on app.engine: no Flask request, no database, no handlers."""

    def __init__(self, app: Flask, payloads: list[dict]):
        config = app.config
        self.engine = app.extensions["tsunagi.engine"]  # built by init_runtime, with services_for_role
        self.spec = self.engine.parse(read_process_files(config["PROCESSES_DIR"]), config["MAIN_PROCESS_ID"])
        self.start_data = {"plan_round": 0, "max_plan_rounds": int(config["MAX_PLAN_ROUNDS"])}
        self.payloads = payloads

    def run_case(self, warm: bool = False) -> list[float]:
        """Cold (default): every step deserialises the blob.  Warm: as a step of the app loads it
        (`load_for_step`: the workflow this process saved last, when the bytes match)."""
        load = self.engine.load_for_step if warm else self.engine.load
        workflow = self.engine.start(self.spec, dict(self.start_data))
        blob = workflow.dump()
        ready = workflow.outcome().ready_tasks
        times = []
        for step, payload in zip(LIFECYCLE, self.payloads, strict=True):
            task_id = self._ready_task(ready, step)
            payload = copy.deepcopy(payload)  # the engine keeps what it is given
            started = time.perf_counter()
            workflow = load(blob)
            outcome = workflow.complete_task(task_id, payload)
            blob = workflow.dump()
            times.append(time.perf_counter() - started)
            ready = outcome.ready_tasks
        if not outcome.completed:
            raise RuntimeError(f"engine-only lifecycle did not end; still ready: {[t.bpmn_id for t in ready]}")
        return times

    @staticmethod
    def _ready_task(ready, step: Step) -> str:
        found = [t for t in ready if t.form_key == step.form_key
                 and (step.instance_item is None or t.instance_item == step.instance_item)]
        if len(found) != 1:
            seen = [(t.bpmn_id, t.instance_item) for t in ready]
            raise RuntimeError(f"expected one ready {step.form_key} task, found {seen}")
        return found[0].task_id


# ---------------------------------------------------------------------------------------------
# Full HTTP


def confirmed_form(data: dict) -> MultiDict:
    """The browser form fields of tests/helpers, confirmed: irreversible steps show a confirm page first."""
    posted = form_post(data)
    posted["confirmed"] = "1"
    return posted


class HttpBench:
    """The lifecycle through POST /tasks/<id>, each request in its own app context."""

    def __init__(self, app: Flask):
        self.app = app
        with app.app_context():
            db.create_all()
            deploy_from_disk(None, "bench")
            db.session.commit()
            for username, role in USERS.values():
                create_user(username, [role], "naka", PASSWORD, display_name=username)
        self.clients = {who: self._login(username) for who, (username, _role) in USERS.items()}
        self.forms = [confirmed_form(step.data()) for step in LIFECYCLE]

    def _login(self, username: str) -> FlaskClient:
        client = self.app.test_client()
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        if response.status_code != 302:
            raise RuntimeError(f"login {username} failed: {response.status_code}")
        return client

    def _walk_in(self) -> int:
        response = self.clients["cw"].post("/cases/new", data={"ward": "naka"})
        if response.status_code != 303:
            raise RuntimeError(f"walk-in failed: {response.status_code} {response.get_data(as_text=True)[:2000]}")
        with self.app.app_context():
            return db.session.query(Case.id).order_by(Case.id.desc()).limit(1).scalar()

    def _open_task(self, case_id: int, step: Step) -> int:
        with self.app.app_context():
            query = db.session.query(HumanTask.id).filter_by(case_id=case_id, status="open", form_key=step.form_key)
            if step.instance_item:
                query = query.filter_by(instance_item=step.instance_item)
            ids = [row.id for row in query]
        if len(ids) != 1:
            raise RuntimeError(f"expected one open {step.form_key} task in case {case_id}, found {ids}")
        return ids[0]

    def run_case(self, timed_post=None) -> list[float]:
        post = timed_post or self._post
        case_id = self._walk_in()
        times = []
        for step, form in zip(LIFECYCLE, self.forms, strict=True):
            task_id = self._open_task(case_id, step)
            client = self.clients[step.who]
            times.append(post(client, f"/tasks/{task_id}", form))
            # The redirect is not followed, so the page that would show the step's flash message
            # never takes it out of the session: untimed, drop it, or every later request of this
            # user would carry (and parse, and sign) a growing cookie.
            with client.session_transaction() as session:
                session.pop("_flashes", None)
        with self.app.app_context():
            state = db.session.get(Case, case_id).state
        if state != "closed":
            raise RuntimeError(f"case {case_id} ended in state {state}, expected closed")
        return times

    def record_payloads(self) -> list[dict]:
        """One untimed lifecycle that notes what the app hands the engine at each step.

        That is the validated form data plus the handlers' workflow extras (plan_version,
        statutory_services, delivery_finished, ...), exactly as submit_task builds them, so
        the engine-only run replays the same payloads without a database.
        """
        recorded: list[dict] = []
        original = RunningWorkflow.complete_task

        def recording(workflow, task_id, data):
            recorded.append(copy.deepcopy(data))
            return original(workflow, task_id, data)

        RunningWorkflow.complete_task = recording
        try:
            self.run_case()
        finally:
            RunningWorkflow.complete_task = original
        if len(recorded) != len(LIFECYCLE):
            raise RuntimeError(f"recorded {len(recorded)} engine steps, expected {len(LIFECYCLE)}")
        return recorded

    @staticmethod
    def _post(client: FlaskClient, url: str, form: MultiDict) -> float:
        started = time.perf_counter()
        response = client.post(url, data=form)
        elapsed = time.perf_counter() - started
        if response.status_code != 303:
            raise RuntimeError(f"POST {url}: {response.status_code} {response.get_data(as_text=True)[:2000]}")
        return elapsed


# ---------------------------------------------------------------------------------------------


def bench_database(kind: str, cases: int, warmup: int, profile: int) -> Result:
    with database(kind) as url:
        app = make_app(url)
        try:
            http_bench = HttpBench(app)
            engine_bench = EngineBench(app, http_bench.record_payloads())
            for _ in range(warmup):  # template compilation, form classes, first connections...
                engine_bench.run_case()
                http_bench.run_case()
            tune_long_running_process()  # as a gunicorn worker is (gunicorn.conf.py), for both columns alike
            engine_times: list[float] = []
            warm_times: list[float] = []
            full_times: list[float] = []
            for _ in range(cases):  # interleaved, so drift on the machine hits all alike
                engine_times += engine_bench.run_case()
                warm_times += engine_bench.run_case(warm=True)
                full_times += http_bench.run_case()
            if profile:
                profile_http(kind, http_bench, profile)
            commit_times = commit_floor(url) if kind == "postgresql" else []
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    return Result(kind, engine_times, full_times, warm_times, commit_times)


def profile_http(kind: str, http_bench: HttpBench, cases: int, top: int = 35) -> None:
    """cProfile over the POSTs only of a few more lifecycles."""
    profiler = cProfile.Profile()

    def post(client, url, form):
        started = time.perf_counter()
        profiler.enable()
        response = client.post(url, data=form)
        profiler.disable()
        if response.status_code != 303:
            raise RuntimeError(f"POST {url}: {response.status_code}")
        return time.perf_counter() - started

    for _ in range(cases):
        http_bench.run_case(timed_post=post)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"/app/", top)  # where in the app the time goes
    stats.sort_stats("tottime").print_stats(top)  # what it is spent on (SQL driver, ORM, engine, JSON...)
    print(f"\n=== cProfile of {cases * len(LIFECYCLE)} full HTTP steps on {kind} ===")
    print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.task_cycle", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--cases", type=int, default=20, help="lifecycles to time per database (default 20)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed lifecycles first (default 1)")
    parser.add_argument("--per-step", action="store_true",
                        help="also print the medians of each step of the lifecycle")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="afterwards, cProfile the HTTP posts of N more lifecycles")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    print(f"lifecycle: {len(LIFECYCLE)} task steps per case (walk-in not counted); "
          f"{args.cases} timed case(s) per database after {args.warmup} warm-up")
    results = []
    for kind in kinds:
        if kind == "postgresql" and not postgres_reachable():
            print(f"PostgreSQL is not reachable at {PG_ADMIN_URL} (TSUNAGI_TEST_DATABASE_URL): skipped")
            continue
        print(f"running on {kind}…", flush=True)
        results.append(bench_database(kind, args.cases, args.warmup, args.profile))
    if results:
        print_table(results, per_step=args.per_step)
    return 0 if len(results) == len(kinds) else 1


def postgres_reachable() -> bool:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=5):
            return True
    except psycopg.OperationalError:
        return False


if __name__ == "__main__":
    sys.exit(main())
