"""Several scheduler passes at once on PostgreSQL: every due timer fires exactly once."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import AuditEvent, HumanTask
from app.services.timers import firing as timers
from bench.timers import clone_case
from tests.conftest import DB_KIND
from tests.helpers import run_together

pytestmark = pytest.mark.skipif(DB_KIND != "postgresql", reason="SKIP LOCKED claiming needs PostgreSQL")


@pytest.fixture
def due_cases(app, case_in_support, clock):
    """due_cases(n) -> ids of n cases whose plan-end timer is due now (in real time too)."""

    def make(count: int) -> list[int]:
        clock.current = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
        template = case_in_support(date(2026, 10, 1), plan_to=date(2026, 11, 20))
        clock.current = datetime.now(UTC)
        return [template, *clone_case(template, count - 1)]

    return make


def _fired_per_case() -> Counter:
    db.session.expire_all()
    rows = db.session.query(AuditEvent.case_id).filter_by(event_type="timer_fired").all()
    return Counter(case_id for (case_id,) in rows)


def _evaluations_per_case() -> Counter:
    rows = db.session.query(HumanTask.case_id).filter_by(form_key="evaluation", status="open").all()
    return Counter(case_id for (case_id,) in rows)


def test_two_concurrent_passes_fire_500_timers_exactly_once(app, due_cases):
    case_ids = due_cases(500)
    db.session.remove()
    start = threading.Barrier(2)
    results, errors = [], []

    def one_pass():
        try:
            with app.app_context():  # its own session and connection
                start.wait()
                results.append(timers.run_pass())
                db.session.remove()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=one_pass) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert sorted(r.fired for r in results) and sum(r.fired for r in results) == 500
    assert all(r.fired > 0 for r in results), [r.fired for r in results]  # both really worked
    assert sum(r.failed for r in results) == 0
    fired = _fired_per_case()
    assert set(fired) == set(case_ids) and set(fired.values()) == {1}
    assert _evaluations_per_case() == Counter(dict.fromkeys(case_ids, 1))


def test_a_killed_scheduler_process_loses_nothing(app, due_cases, database_url):
    case_ids = due_cases(300)
    db.session.remove()
    tsunagi = os.path.join(os.path.dirname(sys.executable), "tsunagi")
    process = subprocess.Popen([tsunagi, "timers", "run-due"], env={**os.environ, "DATABASE_URL": database_url,
                                                                      "TSUNAGI_SECRET_KEY": secrets.token_urlsafe(48)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while sum(_fired_per_case().values()) < 20 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)  # waiting on a real process, not on a timer
    process.send_signal(signal.SIGKILL)
    process.wait()
    fired_before = sum(_fired_per_case().values())
    assert 0 < fired_before < 300, process.stderr.read().decode()[-2000:]

    result = timers.run_pass()
    assert result.fired == 300 - fired_before
    fired = _fired_per_case()
    assert set(fired) == set(case_ids) and set(fired.values()) == {1}
    assert _evaluations_per_case() == Counter(dict.fromkeys(case_ids, 1))


def _sweep_in_own_context(app):
    from app.services.timers.notifications import sweep_overdue

    with app.app_context():
        try:
            return sweep_overdue()
        finally:
            db.session.remove()


def test_a_sweep_finding_another_sweeping_leaves_the_alerts_to_it(app, due_cases):
    from app.models import Notification
    from app.services.timers.notifications import sweep_overdue

    due_cases(5)
    assert timers.run_pass().fired == 5
    before = db.session.query(Notification).count()  # from the steps that built the case
    max_before = db.session.query(sa.func.max(Notification.id)).scalar() or 0
    db.session.remove()
    with db.engine.connect() as other:  # another scheduler, in the middle of its sweep
        assert other.execute(sa.text("SELECT pg_try_advisory_xact_lock(29779, 1)")).scalar()
        assert _sweep_in_own_context(app) == 0
        other.rollback()
    assert db.session.query(Notification).count() == before
    added = sweep_overdue()
    assert added > 0 and db.session.query(Notification).count() == before + added

    # Two at once, with every alert still to add: each added once, neither pass fails.
    db.session.query(Notification).filter(Notification.id > max_before).delete()
    db.session.commit()
    db.session.remove()
    answers = run_together([lambda: _sweep_in_own_context(app)] * 2)
    assert sorted(answers)[0] == 0 and sum(answers) == added
    rows = db.session.query(Notification.user_id, Notification.dedupe_key).filter(Notification.id > max_before).all()
    assert len(rows) == len(set(rows)) == added
