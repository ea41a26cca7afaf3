"""Throughput through the production server: whole lifecycles over the JSON API against gunicorn.

Starts gunicorn (`gunicorn.conf.py`, ``--workers`` processes) on a fresh PostgreSQL database,
then ``--clients`` threads each drive ``--lifecycles`` cases from opening to closure (the twelve
steps of `bench.task_cycle`, as JSON: open the case, read it for its open task, complete the
task; every call with the client's own bearer tokens).  Reports:

* completions/s (task completions answered 200) over the timed part;
* p50 / p95 per endpoint, and every answer that was not a success, by status;
* CPU seconds per completion, measured in the same run from /proc: the gunicorn processes and
  the PostgreSQL backends serving this database (the load generator's own CPU is printed apart);
  the CPU bound = cores ÷ CPU seconds per completion, and completions/s as a share of it
  (target ≥ 70 %, and no 5xx);
* exactly once, checked afterwards in the database: one submission per completed task, no task
  completed twice, every case closed, and `tsunagi audit verify` over every chain.

Run by hand::

    .venv/bin/python -m bench.load [--workers 5] [--clients 8] [--lifecycles 3] [--warmup 1]

The server runs on the real clock; the sample data are dated around 2026-11-26 as in the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

from bench.task_cycle import LIFECYCLE, USERS

PG_ADMIN_URL = os.environ.get("TSUNAGI_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ROOT = Path(__file__).resolve().parent.parent
TARGET_SHARE = 0.70
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / CLOCK_TICKS, sum(fields) / CLOCK_TICKS


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


class Server:
    def __init__(self, database_url: str, workers: int):
        self.port = _free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "TSUNAGI_SECRET_KEY": secrets.token_urlsafe(48),
               "TSUNAGI_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers)}
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile",
                                         "/dev/null"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        self.errors: list[str] = []
        for line in self.process.stderr:
            if "Listening at:" in line:
                break
        else:
            raise RuntimeError("gunicorn did not start")
        threading.Thread(target=lambda: self.errors.extend(
            line for line in self.process.stderr if "Error" in line or "Traceback" in line), daemon=True).start()

    def pids(self) -> list[int]:
        return [self.process.pid, *_children(self.process.pid)]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Client:
    """One API user's calls, timed per endpoint."""

    def __init__(self, port: int, stats: Stats):
        self.base = f"http://127.0.0.1:{port}/api/v1"
        self.stats = stats

    def call(self, endpoint: str, method: str, path: str, token: str, body=None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Authorization": f"Bearer {token}",
                                                  "Content-Type": "application/json"})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        self.stats.add(endpoint, time.perf_counter() - started, status)
        return status, json.loads(payload or b"{}")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.recording = False

    def add(self, endpoint: str, seconds: float, status: int) -> None:
        if not self.recording:
            return
        with self.lock:
            self.times[endpoint].append(seconds)
            self.statuses[endpoint][status] += 1


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(share * len(ordered))) - 1)]


def drive_lifecycle(client: Client, tokens: dict[str, str]) -> int:
    """One case from opening to closure; returns its id."""
    status, opened = client.call("POST /cases", "POST", "/cases", tokens["lead"], {"ward": "naka"})
    if status != 201:
        raise RuntimeError(f"POST /cases: {status} {opened}")
    case_id = opened["case_id"]
    for step in LIFECYCLE:
        status, case = client.call("GET /cases/{id}", "GET", f"/cases/{case_id}", tokens[step.who])
        if status != 200:
            raise RuntimeError(f"GET /cases/{case_id}: {status} {case}")
        task_id = next(t["task_id"] for t in case["open_tasks"] if t["form_key"] == step.form_key
                       and (step.instance_item is None or t["instance_item"] == step.instance_item))
        status, answer = client.call("POST /tasks/{id}/complete", "POST", f"/tasks/{task_id}/complete",
                                     tokens[step.who], {"data": step.data()})
        if status != 200:
            raise RuntimeError(f"complete {step.form_key} of case {case_id}: {status} {answer}")
    return case_id


def _setup(url: str, clients: int) -> list[dict[str, str]]:
    """Schema, processes, one set of lifecycle users per client (its own tokens)."""
    from app import create_app
    from app.extensions import db
    from app.services.processes import deploy_from_disk
    from app.services.staff.tokens import issue_token
    from app.services.staff.users import create_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_urlsafe(48)})
    tokens = []
    with app.app_context():
        db.create_all()
        deploy_from_disk(None, "bench")
        db.session.commit()
        for index in range(clients):
            mine = {}
            for who, (username, role) in USERS.items():
                name = f"{username}_{index}"
                create_user(name, [role], "naka", "bench-password-1", display_name=name)
                mine[who] = issue_token(name)[0]
            tokens.append(mine)
        db.session.remove()
        db.engine.dispose()
    return tokens


def _backend_pids(url: str) -> list[int]:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        return [row[0] for row in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,))]


def _cpu_snapshot(server: Server, url: str) -> dict[int, float]:
    return {pid: _cpu_seconds(pid) for pid in {*server.pids(), *_backend_pids(url)}}


def _exactly_once(url: str, case_ids: list[int]) -> list[str]:
    from app import create_app
    from app.extensions import db
    from app.models import Case, FormSubmission, HumanTask
    from app.services.audit.chain import verify

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_urlsafe(48)})
    problems = []
    with app.app_context():
        twice = (db.session.query(FormSubmission.human_task_id).group_by(FormSubmission.human_task_id)
                 .having(db.func.count() > 1).count())
        completed = db.session.query(HumanTask).filter_by(status="completed").count()
        submissions = db.session.query(FormSubmission).filter(FormSubmission.human_task_id.isnot(None)).count()
        not_closed = db.session.query(Case).filter(Case.id.in_(case_ids), Case.state != "closed").count()
        expected = len(case_ids) * len(LIFECYCLE)
        if twice:
            problems.append(f"{twice} task(s) with more than one submission")
        if submissions != completed:
            problems.append(f"{submissions} submissions for {completed} completed tasks")
        if completed < expected:
            problems.append(f"{completed} completed tasks, expected at least {expected}")
        if not_closed:
            problems.append(f"{not_closed} case(s) not closed")
        report = verify()
        problems += [f"audit: {problem}" for problem in report.problems]
        print(f"exactly once: {completed} completed tasks, {submissions} submissions, none twice: {not twice}; "
              f"audit verify: {report.chains} chains, {report.events} events, "
              f"{'OK' if report.ok else 'BROKEN'}")
        db.session.remove()
        db.engine.dispose()
    return problems


def run(workers: int, clients: int, lifecycles: int, warmup: int) -> int:
    import psycopg

    name = f"tsunagi_bench_{secrets.token_hex(4)}"
    url = re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    server = None
    try:
        tokens = _setup(url, clients)
        server = Server(url, workers)
        stats = Stats()
        case_ids: list[int] = []
        failures: list[BaseException] = []

        def client_thread(index: int, count: int):
            client = Client(server.port, stats)
            try:
                for _ in range(count):
                    case_id = drive_lifecycle(client, tokens[index])
                    with stats.lock:
                        case_ids.append(case_id)
            except BaseException as exc:
                failures.append(exc)

        def wave(count: int) -> float:
            threads = [threading.Thread(target=client_thread, args=(i, count)) for i in range(clients)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return time.perf_counter() - started

        wave(warmup)  # every worker imports, parses specs, opens its connections
        before = _cpu_snapshot(server, url)
        machine_before = _machine_busy()
        client_cpu = time.process_time()
        stats.recording = True
        wall = wave(lifecycles)
        stats.recording = False
        client_cpu = time.process_time() - client_cpu
        after = _cpu_snapshot(server, url)
        machine_after = _machine_busy()
        machine_busy = (machine_after[0] - machine_before[0]) / (machine_after[1] - machine_before[1])
        server_cpu = sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())

        completions = stats.statuses["POST /tasks/{id}/complete"][200]
        cores = os.cpu_count() or 1
        per_completion = server_cpu / max(completions, 1)
        bound = cores / per_completion
        rate = completions / wall
        print(f"gunicorn workers: {workers}; clients: {clients}; lifecycles timed: {clients * lifecycles} "
              f"({warmup} per client untimed first); cores: {cores}")
        print(f"wall {wall:.1f} s; completions {completions}; {rate:.1f} completions/s")
        print(f"CPU: server + database {server_cpu:.1f} s = {per_completion * 1000:.1f} ms per completion "
              f"(load generator {client_cpu:.1f} s, not counted); CPU bound {bound:.1f} completions/s; "
              f"achieved {rate / bound:.0%} of it (target ≥ {TARGET_SHARE:.0%}: "
              f"{'met' if rate / bound >= TARGET_SHARE else 'NOT met'})")
        share = server_cpu / (wall * cores)
        print(f"the machine was {machine_busy:.0%} busy over the run; this server and its database had "
              f"{share:.0%} of its cores, other processes the rest (on a machine of its own the share "
              f"of the bound is the figure to read)")
        print(f"{'endpoint':<28} {'calls':>6} {'p50 ms':>8} {'p95 ms':>8}  statuses")
        five_xx = 0
        for endpoint, times in stats.times.items():
            statuses = stats.statuses[endpoint]
            five_xx += sum(n for status, n in statuses.items() if status >= 500)
            print(f"{endpoint:<28} {len(times):>6} {_percentile(times, 0.5) * 1000:>8.1f} "
                  f"{_percentile(times, 0.95) * 1000:>8.1f}  {dict(sorted(statuses.items()))}")
        errors = {f"{endpoint} {status}": n for endpoint, statuses in stats.statuses.items()
                  for status, n in statuses.items() if status >= 400}
        print(f"errors by status: {errors or 'none'}; 5xx: {five_xx}")
        if failures:
            print(f"client failures: {len(failures)}; first: {failures[0]}")
        server.stop()
        server_errors = server.errors
        server = None
        problems = _exactly_once(url, case_ids)
        for problem in problems + server_errors[:5]:
            print(f"PROBLEM {problem}")
        return 1 if problems or failures or five_xx else 0
    finally:
        if server is not None:
            server.stop()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=8, help="client threads, each driving its own cases")
    parser.add_argument("--lifecycles", type=int, default=3, help="timed lifecycles per client")
    parser.add_argument("--warmup", type=int, default=1, help="untimed lifecycles per client first")
    args = parser.parse_args(argv)
    return run(args.workers, args.clients, args.lifecycles, args.warmup)


if __name__ == "__main__":
    raise SystemExit(main())
