"""Two app hosts on one PostgreSQL database, as production scales out: the races still have one winner.

Two gunicorn servers (`gunicorn.conf.py`, two workers each) on two ports serve this test's
database with one secret key, as hosts behind one proxy would; the requests of each race go one to
each server, released together.  The login limiter counts in the database
(`TSUNAGI_RATELIMIT_STORAGE_URI=tsunagi+postgresql://…`), so attempts spread over both hosts and
all four workers meet one limit.  Timers across processes are
`tests/timers/test_concurrency_pg.py`'s (`tsunagi timers run-due` processes).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
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

    def __init__(self, database_url: str, secret_key: str):
        self.port = _free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "TSUNAGI_SECRET_KEY": secret_key,
               "TSUNAGI_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "2",
               "TSUNAGI_SESSION_COOKIE_SECURE": "0",  # plain HTTP on 127.0.0.1 in this test
               "TSUNAGI_RATELIMIT_STORAGE_URI": f"tsunagi+{database_url}"}
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
    secret_key = secrets.token_urlsafe(48)  # every host of one deployment shares it
    started = [Server(database_url, secret_key), Server(database_url, secret_key)]
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


def test_login_attempts_spread_over_two_hosts_meet_one_limit(servers, staff, app):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])  # "10 per minute", per address and user name
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login_page = browser.open(f"http://127.0.0.1:{servers[0].port}/login", timeout=60).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
    statuses = []
    for attempt in range(limit + 2):
        host = servers[attempt % 2]
        form = urllib.parse.urlencode({"csrf_token": token, "username": "cw", "password": "wrong-password"})
        try:
            with browser.open(f"http://127.0.0.1:{host.port}/login", data=form.encode(), timeout=60) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    assert statuses == [401] * limit + [429, 429], statuses
