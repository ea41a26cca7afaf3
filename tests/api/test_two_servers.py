"""Two app hosts on one PostgreSQL database, as production scales out: the races still have one winner.

Two gunicorn servers (`gunicorn.conf.py`, two workers each) on two ports serve this test's
database; the requests of each race go one to each server, released together.  Timers across
processes are `tests/timers/test_concurrency_pg.py`'s (`tsunagi timers run-due` processes); the
login limiter counts per host with the default `memory://` store and needs a shared store
(`TSUNAGI_RATELIMIT_STORAGE_URI`) across hosts, as README.md's "Production" says.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.clock import JST
from app.extensions import db
from app.models import AuditEvent, Case, FormSubmission, HumanTask
from app.services.audit.chain import verify
from app.services.demo.samples import sample
from app.services.staff.tokens import issue_token

from ..conftest import DB_KIND

pytestmark = pytest.mark.skipif(DB_KIND != "postgresql", reason="two hosts share one PostgreSQL database")
ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 3


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A gunicorn server of the app on its own port (a separate host, as far as the app can tell)."""

    def __init__(self, database_url: str):
        self.port = _free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "TSUNAGI_SECRET_KEY": secrets.token_urlsafe(48),
               "TSUNAGI_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "2"}
        env.pop("TSUNAGI_ENV", None)
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT,
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.log: list[str] = []
        # The socket is open once the master says so; requests wait in its backlog for a worker.
        for line in self.process.stderr:
            self.log.append(line)
            if "Listening at:" in line:
                break
        else:
            raise RuntimeError(f"gunicorn did not start: {''.join(self.log)}")
        threading.Thread(target=lambda: self.log.extend(self.process.stderr), daemon=True).start()

    def call(self, method: str, path: str, token: str, body=None, headers=None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1{path}", data=data, method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture
def servers(app, database_url, clock):
    clock.current = datetime.now(UTC)  # the servers run on the real clock; tokens must be live there
    db.session.commit()
    started = [Server(database_url), Server(database_url)]
    yield started
    for server in started:
        server.stop()
    errors = [line for server in started for line in server.log if "Traceback" in line or " 500 " in line]
    assert not errors, errors


def _together(calls) -> list:
    """Each call in its own thread, released at once; their answers in order."""
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            answers[index] = call()
        except BaseException as exc:  # surfaced below: a thread must not fail silently
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    return answers


def _count(model, **filters) -> int:
    db.session.expire_all()
    return db.session.query(model).filter_by(**filters).count()


def test_two_hosts_completing_one_task_give_one_200_and_one_409(servers, staff, make_user):
    host_a, host_b = servers
    cw2 = make_user("cw2", "caseworker")
    lead_token = issue_token("lead")[0]
    tokens = [issue_token("cw")[0], issue_token(cw2.username)[0]]
    day = datetime.now(JST).date()
    for _ in range(ROUNDS):
        status, opened = host_a.call("POST", "/cases", lead_token, {"ward": "naka"})
        assert status == 201, opened
        case_id = opened["case_id"]
        status, case = host_b.call("GET", f"/cases/{case_id}", tokens[0])
        assert status == 200, case
        intake_id = next(t["task_id"] for t in case["open_tasks"] if t["form_key"] == "intake")
        body = {"data": sample("intake", day, new_person=True)}
        answers = _together([
            lambda path=f"/tasks/{intake_id}/complete", body=body: host_a.call("POST", path, tokens[0], body),
            lambda path=f"/tasks/{intake_id}/complete", body=body: host_b.call("POST", path, tokens[1], body),
        ])
        assert sorted(status for status, _ in answers) == [200, 409], answers
        assert _count(FormSubmission, case_id=case_id, form_key="intake") == 1
        assert _count(HumanTask, case_id=case_id, form_key="assessment") == 1
        assert _count(AuditEvent, case_id=case_id, event_type="task_completed") == 1
    assert verify().ok


def test_one_idempotency_key_sent_to_two_hosts_opens_one_case(servers, staff):
    host_a, host_b = servers
    token = issue_token("cw")[0]
    for round_number in range(ROUNDS):
        headers = {"Idempotency-Key": f"two-hosts-{round_number}"}
        answers = _together([
            lambda headers=headers: host_a.call("POST", "/cases", token, {}, headers),
            lambda headers=headers: host_b.call("POST", "/cases", token, {}, headers),
        ])
        assert answers[0] == answers[1] and answers[0][0] == 201, answers
    assert _count(Case) == ROUNDS
    assert _count(AuditEvent, event_type="api_token_used") == 2 * ROUNDS
    assert verify().ok
